package dev.nosqles.operations;

import java.util.List;

/**
 * A stream's history (or the part asked for).
 *
 * @param aggregateType the aggregate type
 * @param aggregateId the aggregate id
 * @param lastVersion the stream's version as read (the last entry's version, or the version the query stopped at)
 * @param entries the events, in version order
 */
public record StreamHistory(String aggregateType, String aggregateId, long lastVersion, List<HistoryEntry> entries) {
    public StreamHistory {
        entries = List.copyOf(entries);
    }
}
