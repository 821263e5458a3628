package dev.nosqles.runtime.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@code AWS::Serverless::Function} with the template's {@code Globals} applied.
 *
 * @param logicalId      its logical id
 * @param handler        Handler, such as {@code dev.nosqles.app.api.ApiHandler::handleRequest}
 * @param runtime        Runtime
 * @param memorySize     MemorySize in MB (128 when absent)
 * @param timeoutSeconds Timeout (3 when absent)
 * @param environment    Environment.Variables, Globals first, the function's own winning; in template order
 * @param httpApiEvents  its HttpApi events
 * @param streamEvents   its DynamoDB events
 * @param queueEvents    its SQS events
 * @param scheduleEvents its Schedule events (EventBridge rules)
 */
public record FunctionDefinition(String logicalId, String handler, String runtime, int memorySize, int timeoutSeconds,
                                 Map<String, Value> environment, List<HttpApiEvent> httpApiEvents,
                                 List<StreamEvent> streamEvents, List<QueueEvent> queueEvents,
                                 List<ScheduleEvent> scheduleEvents) {
    public FunctionDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
        Objects.requireNonNull(handler, "handler");
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        httpApiEvents = List.copyOf(httpApiEvents);
        streamEvents = List.copyOf(streamEvents);
        queueEvents = List.copyOf(queueEvents);
        scheduleEvents = scheduleEvents == null ? List.of() : List.copyOf(scheduleEvents);
    }

    /** A function without Schedule events. */
    public FunctionDefinition(String logicalId, String handler, String runtime, int memorySize, int timeoutSeconds,
                              Map<String, Value> environment, List<HttpApiEvent> httpApiEvents,
                              List<StreamEvent> streamEvents, List<QueueEvent> queueEvents) {
        this(logicalId, handler, runtime, memorySize, timeoutSeconds, environment, httpApiEvents, streamEvents,
                queueEvents, List.of());
    }

    /** The handler's class: the Handler up to {@code ::}. */
    public String handlerClass() {
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }

    /** An {@code HttpApi} event: a route. */
    public record HttpApiEvent(String name, String method, String path) {
        public HttpApiEvent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A {@code DynamoDB} event: a stream event-source mapping, with AWS's defaults for what is absent.
     *
     * @param name                    the event's name
     * @param table                   the table's logical id ({@code Stream: !GetAtt Table.StreamArn})
     * @param startingPosition        StartingPosition (TRIM_HORIZON or LATEST)
     * @param batchSize               BatchSize (100)
     * @param maxBatchingWindowSeconds MaximumBatchingWindowInSeconds (0)
     * @param maxRetryAttempts        MaximumRetryAttempts (-1: until the records expire)
     * @param bisectOnError           BisectBatchOnFunctionError (false)
     * @param reportBatchItemFailures FunctionResponseTypes contains ReportBatchItemFailures
     * @param onFailureQueue          DestinationConfig.OnFailure.Destination: a queue's logical id, or null
     * @param filterPatterns          FilterCriteria.Filters[].Pattern, JSON strings (empty: no filtering)
     */
    public record StreamEvent(String name, String table, String startingPosition, int batchSize,
                              int maxBatchingWindowSeconds, int maxRetryAttempts, boolean bisectOnError,
                              boolean reportBatchItemFailures, String onFailureQueue, List<String> filterPatterns) {
        public StreamEvent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(startingPosition, "startingPosition");
            filterPatterns = List.copyOf(filterPatterns);
        }

        /** Without FilterCriteria. */
        public StreamEvent(String name, String table, String startingPosition, int batchSize,
                           int maxBatchingWindowSeconds, int maxRetryAttempts, boolean bisectOnError,
                           boolean reportBatchItemFailures, String onFailureQueue) {
            this(name, table, startingPosition, batchSize, maxBatchingWindowSeconds, maxRetryAttempts, bisectOnError,
                    reportBatchItemFailures, onFailureQueue, List.of());
        }
    }

    /**
     * An {@code SQS} event: a queue event-source mapping.
     *
     * @param name                     the event's name
     * @param queue                    the queue's logical id ({@code Queue: !GetAtt Queue.Arn})
     * @param batchSize                BatchSize (10)
     * @param maxBatchingWindowSeconds MaximumBatchingWindowInSeconds (0)
     * @param reportBatchItemFailures  FunctionResponseTypes contains ReportBatchItemFailures
     * @param filterPatterns           FilterCriteria.Filters[].Pattern, JSON strings (empty: no filtering)
     */
    public record QueueEvent(String name, String queue, int batchSize, int maxBatchingWindowSeconds,
                             boolean reportBatchItemFailures, List<String> filterPatterns) {
        public QueueEvent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(queue, "queue");
            filterPatterns = List.copyOf(filterPatterns);
        }

        /** Without FilterCriteria. */
        public QueueEvent(String name, String queue, int batchSize, int maxBatchingWindowSeconds,
                          boolean reportBatchItemFailures) {
            this(name, queue, batchSize, maxBatchingWindowSeconds, reportBatchItemFailures, List.of());
        }
    }

    /**
     * A {@code Schedule} event: an EventBridge rule that invokes the function with a {@code ScheduledEvent}.
     *
     * @param name       the event's name
     * @param expression the Schedule expression as written ({@code rate(1 minute)}, {@code cron(...)})
     * @param rate       the period of a {@code rate(...)} expression; null for a {@code cron(...)} one (not run
     *                   locally)
     * @param enabled    Enabled (true when absent)
     */
    public record ScheduleEvent(String name, String expression, java.time.Duration rate, boolean enabled) {
        public ScheduleEvent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(expression, "expression");
        }
    }
}
