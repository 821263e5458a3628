package dev.nosqles.capacity;

/**
 * Request units by DynamoDB's published rules: a write costs 1 unit per started KB of the item; a read costs
 * 1 unit per started 4 KB (half for an eventually consistent read), summed over all items of a Query page and
 * rounded once; inside a transaction both cost twice.
 */
public final class CapacityUnits {
    private CapacityUnits() {
    }

    /** Write units for writing one item of {@code itemBytes}. */
    public static long write(long itemBytes, boolean transactional) {
        long units = Math.max(1, ceilDiv(itemBytes, 1024));
        return transactional ? 2 * units : units;
    }

    /** Read units for one GetItem or one Query page returning {@code totalBytes} in all. */
    public static double read(long totalBytes, boolean stronglyConsistent) {
        long units = Math.max(1, ceilDiv(totalBytes, 4096));
        return stronglyConsistent ? units : units / 2.0;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
