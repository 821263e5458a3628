package dev.nosqles.projection;

import java.util.List;
import java.util.Optional;

/**
 * One page of a read-model query.
 *
 * @param rows the rows, in the index's order
 * @param nextCursor an opaque, tamper-evident cursor for the next page; empty on the last page
 * @param version the version of the read model that answered
 * @param freshness how stale the answer may be
 */
public record Page<R>(List<R> rows, Optional<String> nextCursor, int version, Freshness freshness) {
    public Page {
        rows = List.copyOf(rows);
    }
}
