package dev.nosqles.store;

import java.time.Instant;
import java.util.List;

/**
 * The serialised state of an aggregate at a version.
 *
 * @param streamId the stream
 * @param version the stream version the state includes (always the end of a commit)
 * @param stateType stable name of the state's type
 * @param schemaVersion schema version of the state's JSON; a snapshot of another schema is ignored on load
 * @param data the state as JSON
 * @param timestamp when the snapshot was taken
 * @param recentMessageIds ids of the most recent messages the aggregate processed, newest last, so that duplicates
 *        are still recognised after a load that starts from this snapshot
 */
public record Snapshot(StreamId streamId, long version, String stateType, int schemaVersion, String data,
                       Instant timestamp, List<String> recentMessageIds) {
    public Snapshot {
        recentMessageIds = List.copyOf(recentMessageIds);
    }
}
