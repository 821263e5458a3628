package dev.nosqles.runtime.esm;

import java.time.Duration;
import java.util.Objects;

/**
 * An SQS event-source mapping, shaped like {@code AWS::Serverless::Function} {@code SQS} events.
 *
 * @param id                      the mapping's identity (logs)
 * @param functionName            the function the messages are handed to
 * @param queueUrl                the queue polled
 * @param batchSize               BatchSize: at most this many messages per invocation (1..10 locally)
 * @param maxBatchingWindow       MaximumBatchingWindowInSeconds (0..300 s)
 * @param reportBatchItemFailures FunctionResponseTypes contains ReportBatchItemFailures
 * @param filter                  FilterCriteria: messages matching none of its filters are deleted without being
 *                                handed over, as Lambda does ({@link EventFilter#none()}: every message is)
 */
public record QueueMapping(String id, String functionName, String queueUrl, int batchSize, Duration maxBatchingWindow,
                           boolean reportBatchItemFailures, EventFilter filter) {

    public QueueMapping {
        StreamMapping.requireText(id, "id");
        StreamMapping.requireText(functionName, "functionName");
        StreamMapping.requireText(queueUrl, "queueUrl");
        Objects.requireNonNull(maxBatchingWindow, "maxBatchingWindow");
        Objects.requireNonNull(filter, "filter");
        if (batchSize < 1 || batchSize > 10) {
            throw new IllegalArgumentException("mapping " + id + ": batchSize must be 1..10 locally, was " + batchSize);
        }
        if (maxBatchingWindow.isNegative() || maxBatchingWindow.compareTo(Duration.ofSeconds(300)) > 0) {
            throw new IllegalArgumentException("mapping " + id + ": maxBatchingWindow must be 0..300 s, was "
                    + maxBatchingWindow);
        }
    }

    /** AWS's defaults (batch size 10, no window, no partial failures). */
    public static QueueMapping defaults(String id, String functionName, String queueUrl) {
        return new QueueMapping(id, functionName, queueUrl, 10, Duration.ZERO, false, EventFilter.none());
    }

    public QueueMapping withBatchSize(int value) {
        return new QueueMapping(id, functionName, queueUrl, value, maxBatchingWindow, reportBatchItemFailures, filter);
    }

    public QueueMapping withMaxBatchingWindow(Duration value) {
        return new QueueMapping(id, functionName, queueUrl, batchSize, value, reportBatchItemFailures, filter);
    }

    public QueueMapping withReportBatchItemFailures(boolean value) {
        return new QueueMapping(id, functionName, queueUrl, batchSize, maxBatchingWindow, value, filter);
    }

    public QueueMapping withFilter(EventFilter value) {
        return new QueueMapping(id, functionName, queueUrl, batchSize, maxBatchingWindow, reportBatchItemFailures,
                value);
    }
}
