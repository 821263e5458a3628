package dev.nosqles.operations;

import dev.nosqles.EventSourcingException;

/** A view would read more items than it was allowed to (its cost is bounded): nothing is returned. */
public final class ScanLimitException extends EventSourcingException {
    private final String table;
    private final long limit;

    public ScanLimitException(String table, long limit) {
        super("reading " + table + " would take more than " + limit + " items; raise the limit to read it all");
        this.table = table;
        this.limit = limit;
    }

    public String table() {
        return table;
    }

    public long limit() {
        return limit;
    }
}
