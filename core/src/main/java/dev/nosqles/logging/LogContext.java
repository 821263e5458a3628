package dev.nosqles.logging;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.StreamId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.MDC;

/**
 * The keys the framework puts in the SLF4J {@link MDC} while it handles one command, event or message, so that
 * every log line written meanwhile (the framework's, the application's, the AWS SDK's) says what it was about.
 * Opened with try-with-resources: {@link #close()} puts back what the keys held before (nested scopes, pooled
 * threads: nothing leaks into the next record). Ids only, never a payload.
 */
public final class LogContext implements AutoCloseable {
    public static final String CORRELATION_ID = "correlation_id";
    public static final String CAUSATION_ID = "causation_id";
    public static final String MESSAGE_ID = "message_id";
    public static final String STREAM_ID = "stream_id";
    public static final String STREAM_VERSION = "stream_version";
    public static final String SAGA_ID = "saga_id";
    /** The X-Ray trace header the work came with (from event metadata or a message attribute). */
    public static final String TRACE_HEADER = "trace_header";

    private final Map<String, String> previous = new LinkedHashMap<>();

    private LogContext() {
    }

    /**
     * The AWS X-Ray trace header of the work being handled, to send on with the messages it sends: the one the
     * current scope holds ({@link #TRACE_HEADER}, from an event's metadata or a message's attribute), else the
     * running Lambda invocation's (system property {@code com.amazonaws.xray.traceHeader}, else the environment
     * variable {@code _X_AMZN_TRACE_ID}); null when there is none or it is longer than metadata may hold.
     */
    public static String traceHeader() {
        return dev.nosqles.internal.TraceHeaders.handled();
    }

    /**
     * {@code task}, to run on another thread (a worker of a batch) with the log context this thread holds now: every
     * MDC key, the Lambda invocation's request id among them. That thread's own context is put back afterwards.
     */
    public static <T> Callable<T> carried(Callable<T> task) {
        Map<String, String> here = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> before = MDC.getCopyOfContextMap();
            if (here == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(here);
            }
            try {
                return task.call();
            } finally {
                if (before == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(before);
                }
            }
        };
    }

    /** An empty scope; add keys with {@link #put}. */
    public static LogContext open() {
        return new LogContext();
    }

    /** A scope holding the metadata's correlation, causation and message ids (those it has). */
    public static LogContext of(EventMetadata metadata) {
        return open().metadata(metadata);
    }

    /** Sets {@code key} for this scope; a null value leaves the key as it is. */
    public LogContext put(String key, Object value) {
        if (value == null) {
            return this;
        }
        if (!previous.containsKey(key)) {
            previous.put(key, MDC.get(key));
        }
        MDC.put(key, String.valueOf(value));
        return this;
    }

    public LogContext stream(StreamId streamId) {
        return streamId == null ? this : put(STREAM_ID, streamId.value());
    }

    public LogContext stream(StreamId streamId, long version) {
        return stream(streamId).put(STREAM_VERSION, version);
    }

    public LogContext metadata(EventMetadata metadata) {
        if (metadata == null) {
            return this;
        }
        return put(CORRELATION_ID, metadata.correlationId()).put(CAUSATION_ID, metadata.causationId())
                .put(MESSAGE_ID, metadata.messageId()).put(TRACE_HEADER, metadata.traceHeader());
    }

    /** Puts back what the keys held when this scope set them. */
    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
        previous.clear();
    }
}
