package dev.nosqles.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.metrics.Metrics;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * One function's logs and metrics: {@link #invocation} runs a handler's work with the Lambda context in the log
 * lines' MDC (the fields Powertools for AWS Lambda names: function_name, function_request_id, function_arn,
 * function_version, function_memory_size, cold_start, service, xray_trace_id) and writes the
 * {@link #metrics() metrics} it counted as one EMF line at its end. The lines themselves are written by the
 * functions' SLF4J provider, {@code nosqles-lambda-logging} (ADR 0017). Configured from the function's environment:
 * {@value #SERVICE} (the stack name; the metrics' {@code Service} dimension and the logs' {@code service}),
 * {@value #NAMESPACE} ({@code nosqles} when unset); {@value #LOG_LEVEL} is read by the provider, which keeps the AWS
 * SDK at WARN when it is INFO.
 */
public final class Telemetry {
    public static final String SERVICE = "POWERTOOLS_SERVICE_NAME";
    public static final String NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE";
    public static final String LOG_LEVEL = "POWERTOOLS_LOG_LEVEL";
    /** The message attribute the operator's DLQ redrive sets (an ISO-8601 instant): counted as a redrive. */
    public static final String REDRIVEN_AT = "nosqles-redriven-at";
    /** The SQS system attribute that carries the X-Ray trace header. */
    public static final String AWS_TRACE_HEADER = "AWSTraceHeader";

    private static final String UNDEFINED = "service_undefined";

    private final String service;
    private final EmfMetrics metrics;
    /** Until the first invocation with a Lambda context: a function holds one Telemetry per process. */
    private final AtomicBoolean coldStart = new AtomicBoolean(true);

    public Telemetry(String service, EmfMetrics metrics) {
        this.service = Objects.requireNonNull(service, "service");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** From the function's environment; EMF lines to stdout. */
    public static Telemetry fromEnvironment(Function<String, String> env) {
        String service = value(env, SERVICE, UNDEFINED);
        return new Telemetry(service, EmfMetrics.toStdout(value(env, NAMESPACE, EmfMetrics.DEFAULT_NAMESPACE),
                service));
    }

    private static String value(Function<String, String> env, String name, String fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** What the framework parts of this function count (give it to repositories, dispatchers, the sweeper). */
    public Metrics metrics() {
        return metrics;
    }

    /**
     * After a message was handled: counts it as a DLQ redrive when it carries {@value #REDRIVEN_AT} (the value of
     * that message attribute, or null). A redriven message that fails again is counted when it is handled.
     */
    public void handled(String redrivenAt) {
        if (redrivenAt != null) {
            metrics.increment(Metric.DLQ_REDRIVES);
        }
    }

    public String service() {
        return service;
    }

    /**
     * Runs one invocation's work: the Lambda context's fields in every log line meanwhile (none when {@code context}
     * is null, as when priming; {@code cold_start} is true for this Telemetry's first invocation with a context),
     * the MDC as it was before (empty in a function) after it, and the metrics flushed once at its end, failed or
     * not.
     */
    public <T> T invocation(Context context, Supplier<T> work) {
        if (context == null) {
            try {
                return work.get();
            } finally {
                metrics.flush();
            }
        }
        Map<String, String> before = MDC.getCopyOfContextMap();
        put("function_name", context.getFunctionName());
        put("function_version", context.getFunctionVersion());
        put("function_arn", context.getInvokedFunctionArn());
        put("function_memory_size", String.valueOf(context.getMemoryLimitInMB()));
        put("function_request_id", context.getAwsRequestId());
        put("cold_start", String.valueOf(coldStart.getAndSet(false)));
        put("service", service); // the function's own environment (the local runtime has no process env)
        put("xray_trace_id", traceId(LogContext.traceHeader())); // the invocation's: nothing is handled yet
        try {
            return work.get();
        } finally {
            try {
                metrics.flush();
            } finally {
                if (before == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(before);
                }
            }
        }
    }

    private static void put(String key, String value) {
        if (value != null && !value.isEmpty()) {
            MDC.put(key, value);
        }
    }

    /** The trace id of an X-Ray trace header ({@code Root=1-...;Parent=...;Sampled=1}), or null. */
    static String traceId(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String field = part.strip();
            if (field.startsWith("Root=") && field.length() > 5) {
                return field.substring(5);
            }
        }
        return null;
    }

    /**
     * The X-Ray trace header to send on with a message: the one of the event or message being handled (in the
     * MDC, from its metadata or its {@value #AWS_TRACE_HEADER} attribute), else the running invocation's; null when
     * there is none.
     */
    public static String traceHeader() {
        return LogContext.traceHeader();
    }

    /**
     * The log scope of one SQS message: its id, the X-Ray trace header it carries.
     *
     * @param attributes the message's system attributes (may be null)
     */
    public LogContext message(String messageId, Map<String, String> attributes) {
        return LogContext.open().put(LogContext.MESSAGE_ID, messageId)
                .put(LogContext.TRACE_HEADER, attributes == null ? null : attributes.get(AWS_TRACE_HEADER));
    }
}
