package dev.nosqles.bench;

import java.util.Arrays;

/** Latency samples of one operation, in nanoseconds, summarised by nearest-rank percentiles. */
public record Latencies(String operation, String side, int samples, double p50Ms, double p99Ms, double meanMs) {

    public static Latencies of(String operation, String side, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
        return new Latencies(operation, side, sorted.length, ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.99)),
                mean / 1e6);
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
