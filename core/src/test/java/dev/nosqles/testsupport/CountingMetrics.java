package dev.nosqles.testsupport;

import dev.nosqles.metrics.Metric;
import dev.nosqles.metrics.Metrics;
import java.util.EnumMap;
import java.util.Map;

/** Metrics in memory: the sum of what each metric was given. */
public final class CountingMetrics implements Metrics {
    private final Map<Metric, Long> counts = new EnumMap<>(Metric.class);

    @Override
    public synchronized void add(Metric metric, long value) {
        counts.merge(metric, value, Long::sum);
    }

    public synchronized long count(Metric metric) {
        return counts.getOrDefault(metric, 0L);
    }

    public synchronized Map<Metric, Long> nonZero() {
        Map<Metric, Long> copy = new EnumMap<>(Metric.class);
        counts.forEach((m, v) -> {
            if (v != 0) {
                copy.put(m, v);
            }
        });
        return copy;
    }
}
