package dev.nosqles.lambda;

import dev.nosqles.metrics.Metric;
import dev.nosqles.metrics.Metrics;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The framework's {@link Metrics} as CloudWatch embedded metric format (EMF): what an invocation counted, written as
 * one JSON line on {@link #flush()} (CloudWatch Logs turns it into metrics of {@code namespace} with the one
 * dimension {@code Service}). Counts add up; {@link Metric.Unit#MILLISECONDS} values keep their maximum. Thread-safe:
 * a flush takes what was counted so far and starts again from nothing. Nothing is written when nothing was counted.
 *
 * <p>Not Powertools' {@code MetricsFactory}: that is one instance per JVM, which the local runtime (every function
 * in one JVM, invocations in parallel) would mix up; and this is one class instead of a library at cold start.
 */
public final class EmfMetrics implements Metrics {
    public static final String DEFAULT_NAMESPACE = "nosqles";
    public static final String DIMENSION = "Service";

    private final String namespace;
    private final String service;
    private final Consumer<String> sink;
    private final Clock clock;
    /** One holder per metric for the metrics' lifetime (a flush takes its value with getAndSet, loses no add). */
    private final Map<Metric, AtomicLong> values = new EnumMap<>(Metric.class);

    /**
     * @param sink where the EMF line goes ({@code System.out::println} in Lambda: stdout is the function's log)
     */
    public EmfMetrics(String namespace, String service, Consumer<String> sink, Clock clock) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.service = Objects.requireNonNull(service, "service");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (Metric metric : Metric.values()) {
            values.put(metric, new AtomicLong(nothing(metric)));
        }
    }

    /** What a holder holds when nothing was counted: 0, or for a maximum the smallest long. */
    private static long nothing(Metric metric) {
        return metric.unit() == Metric.Unit.MILLISECONDS ? Long.MIN_VALUE : 0;
    }

    /** Writing to the current {@code System.out}. */
    public static EmfMetrics toStdout(String namespace, String service) {
        return new EmfMetrics(namespace, service, line -> System.out.println(line), Clock.systemUTC());
    }

    @Override
    public void add(Metric metric, long value) {
        AtomicLong held = values.get(metric);
        if (metric.unit() == Metric.Unit.MILLISECONDS) {
            held.accumulateAndGet(value, Math::max);
        } else {
            held.addAndGet(value);
        }
    }

    /** Writes what was counted since the last flush as one EMF line, if anything was. */
    public void flush() {
        Map<Metric, Long> taken = new EnumMap<>(Metric.class);
        for (Metric metric : Metric.values()) {
            long value = values.get(metric).getAndSet(nothing(metric));
            if (value != nothing(metric)) {
                taken.put(metric, value);
            }
        }
        if (!taken.isEmpty()) {
            sink.accept(line(taken));
        }
    }

    private String line(Map<Metric, Long> taken) {
        StringBuilder definitions = new StringBuilder();
        StringBuilder values = new StringBuilder();
        taken.forEach((metric, value) -> {
            if (!definitions.isEmpty()) {
                definitions.append(',');
            }
            definitions.append("{\"Name\":\"").append(metric.metricName()).append("\",\"Unit\":\"")
                    .append(metric.unit().cloudWatchName()).append("\"}");
            values.append(",\"").append(metric.metricName()).append("\":").append(value);
        });
        return "{\"_aws\":{\"Timestamp\":" + clock.millis() + ",\"CloudWatchMetrics\":[{\"Namespace\":"
                + quoted(namespace) + ",\"Dimensions\":[[\"" + DIMENSION + "\"]],\"Metrics\":[" + definitions
                + "]}]},\"" + DIMENSION + "\":" + quoted(service) + values + "}";
    }

    private static String quoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
