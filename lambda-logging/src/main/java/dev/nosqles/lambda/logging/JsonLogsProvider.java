package dev.nosqles.lambda.logging;

import dev.nosqles.lambda.logging.internal.JsonLogger;
import dev.nosqles.lambda.logging.internal.ThreadMdc;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of the Lambda functions: every enabled log call is one JSON object on one line of stdout
 * (the function's CloudWatch log stream), with {@code timestamp}, {@code level}, {@code logger}, {@code message},
 * {@code error} (name, message, stack) when there is a throwable, the event's key-value pairs, and every MDC entry
 * as a field of its own (a pair or entry whose name is already a field of the line is left out, so no name appears
 * twice). The MDC is per thread and not inherited by the threads a thread starts. Levels: {@link JsonLogs}. Found by SLF4J through {@code META-INF/services}.
 *
 * <p>Why not log4j2 with Powertools' layout (the backend before ADR 0017): the same fields for a fraction of the
 * classes a cold start loads (a handful against some 1,000).
 */
public final class JsonLogsProvider implements SLF4JServiceProvider {
    /** The SLF4J API version this provider is written against. */
    public static final String REQUESTED_API_VERSION = "2.0.99";

    private ILoggerFactory loggerFactory;
    private IMarkerFactory markerFactory;
    private MDCAdapter mdcAdapter;

    /** Called by SLF4J's service loader. */
    public JsonLogsProvider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggerFactory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markerFactory;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }

    @Override
    public String getRequestedApiVersion() {
        return REQUESTED_API_VERSION;
    }

    @Override
    public void initialize() {
        ThreadMdc mdc = new ThreadMdc();
        mdcAdapter = mdc;
        markerFactory = new BasicMarkerFactory();
        loggerFactory = new Factory(mdc);
    }

    private static final class Factory implements ILoggerFactory {
        private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
        private final ThreadMdc mdc;

        Factory(ThreadMdc mdc) {
            this.mdc = mdc;
        }

        @Override
        public Logger getLogger(String name) {
            return loggers.computeIfAbsent(name, n -> new JsonLogger(n, JsonLogs::level, JsonLogs::generation, mdc,
                    line -> System.out.println(line)));
        }
    }
}
