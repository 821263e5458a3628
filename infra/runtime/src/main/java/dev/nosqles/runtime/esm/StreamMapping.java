package dev.nosqles.runtime.esm;

import java.time.Duration;
import java.util.Objects;

/**
 * A DynamoDB Streams event-source mapping, shaped like {@code AWS::Serverless::Function} {@code DynamoDB} events
 * (and {@code AWS::Lambda::EventSourceMapping}) so that a template reader can build one.
 *
 * @param id                      the mapping's identity; the checkpoint is stored under it, so a restarted poller
 *                                with the same id resumes where the last one settled
 * @param functionName            the function the records are handed to (for the {@code Context} and logs)
 * @param table                   the table's name or its stream ARN
 * @param batchSize               BatchSize: at most this many records per invocation (1..10000; AWS default 100)
 * @param maxBatchingWindow       MaximumBatchingWindowInSeconds: how long to gather records before invoking with a
 *                                batch smaller than {@code batchSize} (0..300 s)
 * @param maxRetryAttempts        MaximumRetryAttempts: retries of a failing record set before it is given up
 *                                (-1 = retry until it succeeds, 0..10000)
 * @param bisectOnError           BisectBatchOnFunctionError
 * @param reportBatchItemFailures FunctionResponseTypes contains ReportBatchItemFailures
 * @param onFailureQueueUrl       DestinationConfig.OnFailure as an SQS queue URL, or null for none
 * @param startingPosition        StartingPosition
 * @param filter                  FilterCriteria: records matching none of its filters are settled without being
 *                                handed over ({@link EventFilter#none()}: every record is)
 */
public record StreamMapping(String id, String functionName, String table, int batchSize, Duration maxBatchingWindow,
                            int maxRetryAttempts, boolean bisectOnError, boolean reportBatchItemFailures,
                            String onFailureQueueUrl, StartingPosition startingPosition, EventFilter filter) {

    public StreamMapping {
        requireText(id, "id");
        requireText(functionName, "functionName");
        requireText(table, "table");
        Objects.requireNonNull(maxBatchingWindow, "maxBatchingWindow");
        Objects.requireNonNull(startingPosition, "startingPosition");
        Objects.requireNonNull(filter, "filter");
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("mapping " + id + ": batchSize must be 1..10000, was " + batchSize);
        }
        if (maxBatchingWindow.isNegative() || maxBatchingWindow.compareTo(Duration.ofSeconds(300)) > 0) {
            throw new IllegalArgumentException("mapping " + id + ": maxBatchingWindow must be 0..300 s, was "
                    + maxBatchingWindow);
        }
        if (maxRetryAttempts < -1 || maxRetryAttempts > 10_000) {
            throw new IllegalArgumentException("mapping " + id + ": maxRetryAttempts must be -1..10000, was "
                    + maxRetryAttempts);
        }
        if (onFailureQueueUrl != null && onFailureQueueUrl.isBlank()) {
            throw new IllegalArgumentException("mapping " + id + ": onFailureQueueUrl is blank (use null for none)");
        }
    }

    /** AWS's defaults: batch size 100, no batching window, infinite retries, no bisect, no partial failures, TRIM_HORIZON. */
    public static StreamMapping defaults(String id, String functionName, String table) {
        return new StreamMapping(id, functionName, table, 100, Duration.ZERO, -1, false, false, null,
                StartingPosition.TRIM_HORIZON, EventFilter.none());
    }

    public StreamMapping withBatchSize(int value) {
        return new StreamMapping(id, functionName, table, value, maxBatchingWindow, maxRetryAttempts, bisectOnError,
                reportBatchItemFailures, onFailureQueueUrl, startingPosition, filter);
    }

    public StreamMapping withMaxBatchingWindow(Duration value) {
        return new StreamMapping(id, functionName, table, batchSize, value, maxRetryAttempts, bisectOnError,
                reportBatchItemFailures, onFailureQueueUrl, startingPosition, filter);
    }

    public StreamMapping withMaxRetryAttempts(int value) {
        return new StreamMapping(id, functionName, table, batchSize, maxBatchingWindow, value, bisectOnError,
                reportBatchItemFailures, onFailureQueueUrl, startingPosition, filter);
    }

    public StreamMapping withBisectOnError(boolean value) {
        return new StreamMapping(id, functionName, table, batchSize, maxBatchingWindow, maxRetryAttempts, value,
                reportBatchItemFailures, onFailureQueueUrl, startingPosition, filter);
    }

    public StreamMapping withReportBatchItemFailures(boolean value) {
        return new StreamMapping(id, functionName, table, batchSize, maxBatchingWindow, maxRetryAttempts,
                bisectOnError, value, onFailureQueueUrl, startingPosition, filter);
    }

    public StreamMapping withOnFailureQueueUrl(String value) {
        return new StreamMapping(id, functionName, table, batchSize, maxBatchingWindow, maxRetryAttempts,
                bisectOnError, reportBatchItemFailures, value, startingPosition, filter);
    }

    public StreamMapping withStartingPosition(StartingPosition value) {
        return new StreamMapping(id, functionName, table, batchSize, maxBatchingWindow, maxRetryAttempts,
                bisectOnError, reportBatchItemFailures, onFailureQueueUrl, value, filter);
    }

    public StreamMapping withFilter(EventFilter value) {
        return new StreamMapping(id, functionName, table, batchSize, maxBatchingWindow, maxRetryAttempts,
                bisectOnError, reportBatchItemFailures, onFailureQueueUrl, startingPosition, value);
    }

    static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
