package dev.nosqles.memory;

import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Latest snapshot per stream, in memory: a test double for unit tests and fixtures (no required configuration). */
public final class InMemorySnapshotStore implements SnapshotStore {
    private final Map<StreamId, Snapshot> snapshots = new ConcurrentHashMap<>();

    @Override
    public Optional<Snapshot> load(StreamId streamId) {
        return Optional.ofNullable(snapshots.get(streamId));
    }

    @Override
    public void save(Snapshot snapshot) {
        snapshots.merge(snapshot.streamId(), snapshot, (old, neu) -> neu.version() > old.version() ? neu : old);
    }

    @Override
    public void delete(StreamId streamId) {
        snapshots.remove(streamId);
    }
}
