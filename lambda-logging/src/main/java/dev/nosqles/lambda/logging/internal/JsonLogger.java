package dev.nosqles.lambda.logging.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * One logger of {@link dev.nosqles.lambda.logging.JsonLogsProvider}: formats an enabled call as one JSON line and
 * hands it to its output. Its level is looked up again only after a level changed.
 */
public final class JsonLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    /** Written first, in this order, when the MDC holds them: the Lambda context, then the request's ids. */
    private static final List<String> FIRST = List.of("function_name", "function_request_id", "cold_start",
            "function_arn", "function_memory_size", "function_version", "service", "xray_trace_id",
            "correlation_id");
    /** The line's own fields: a key-value pair or MDC entry of one of these names is left out. */
    private static final Set<String> RESERVED = Set.of("timestamp", "level", "logger", "message", "error");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final transient Function<String, Level> levels;
    private final transient IntSupplier generation;
    private final transient ThreadMdc mdc;
    private final transient Consumer<String> out;
    /** The level this logger found, and the generation of the levels it found it in: read and written as one. */
    private transient volatile Cached cached = new Cached(Integer.MIN_VALUE, Level.INFO.toInt());

    private record Cached(int generation, int threshold) {
    }

    public JsonLogger(String name, Function<String, Level> levels, IntSupplier generation, ThreadMdc mdc,
                      Consumer<String> out) {
        this.name = name;
        this.levels = levels;
        this.generation = generation;
        this.mdc = mdc;
        this.out = out;
    }

    private boolean enabled(Level level) {
        int current = generation.getAsInt();
        Cached known = cached;
        if (known.generation() != current) {
            known = new Cached(current, levels.apply(name).toInt());
            cached = known;
        }
        return level.toInt() >= known.threshold();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        write(level, pattern, arguments, throwable, null);
    }

    /** The fluent API's events (they may carry key-value pairs). */
    @Override
    public void log(LoggingEvent event) {
        if (enabled(event.getLevel())) {
            Object[] arguments = event.getArgumentArray();
            Throwable throwable = event.getThrowable();
            if (throwable == null && arguments != null && arguments.length > 0
                    && arguments[arguments.length - 1] instanceof Throwable last) {
                // as the classic calls do: a trailing throwable is the error, not a placeholder's argument
                throwable = last;
                arguments = MessageFormatter.trimmedCopy(arguments);
            }
            write(event.getLevel(), event.getMessage(), arguments, throwable, event.getKeyValuePairs());
        }
    }

    private void write(Level level, String pattern, Object[] arguments, Throwable throwable,
                       List<KeyValuePair> pairs) {
        String message = arguments == null || arguments.length == 0 ? pattern
                : MessageFormatter.basicArrayFormat(pattern, arguments);
        StringBuilder line = new StringBuilder(256);
        line.append('{');
        field(line, "timestamp", TIMESTAMP.format(Instant.now().truncatedTo(ChronoUnit.MILLIS)), false);
        field(line, "level", level.name(), true);
        field(line, "logger", name, true);
        field(line, "message", message, true);
        if (throwable != null) {
            line.append(",\"error\":{");
            field(line, "name", throwable.getClass().getName(), false);
            field(line, "message", throwable.getMessage(), true);
            field(line, "stack", stackTrace(throwable), true);
            line.append('}');
        }
        Set<String> written = new HashSet<>(RESERVED);
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.key != null && written.add(pair.key)) {
                    field(line, pair.key, pair.value == null ? null : String.valueOf(pair.value), true);
                }
            }
        }
        Map<String, String> context = mdc.current();
        if (!context.isEmpty()) {
            for (String key : FIRST) {
                String value = context.get(key);
                if (value != null && written.add(key)) {
                    contextField(line, key, value);
                }
            }
            for (Map.Entry<String, String> entry : context.entrySet()) { // in the order they were put
                if (entry.getValue() != null && written.add(entry.getKey())) {
                    contextField(line, entry.getKey(), entry.getValue());
                }
            }
        }
        line.append('}');
        out.accept(line.toString());
    }

    /** {@code cold_start} as a JSON boolean and {@code function_memory_size} as a number, as Powertools writes them. */
    private static void contextField(StringBuilder line, String key, String value) {
        boolean literal = switch (key) {
            case "cold_start" -> value.equals("true") || value.equals("false");
            case "function_memory_size" -> !value.isEmpty() && value.length() < 10 && digits(value)
                    && (value.charAt(0) != '0' || value.length() == 1); // a JSON number has no leading zero
            default -> false;
        };
        if (literal) {
            line.append(",\"").append(key).append("\":").append(value);
        } else {
            field(line, key, value, true);
        }
    }

    private static boolean digits(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void field(StringBuilder line, String key, String value, boolean comma) {
        if (value == null) {
            return;
        }
        if (comma) {
            line.append(',');
        }
        string(line, key);
        line.append(':');
        string(line, value);
    }

    /** A JSON string: quotes, backslashes and control characters escaped (a stack trace stays on one line). */
    static void string(StringBuilder line, String value) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }

    private static String stackTrace(Throwable throwable) {
        StringWriter text = new StringWriter();
        try (PrintWriter writer = new PrintWriter(text)) {
            throwable.printStackTrace(writer);
        }
        return text.toString();
    }
}
