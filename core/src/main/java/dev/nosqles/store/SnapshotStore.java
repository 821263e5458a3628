package dev.nosqles.store;

import java.util.Optional;

/** Keeps the latest snapshot of each stream. */
public interface SnapshotStore {
    /** The latest snapshot, if any. */
    Optional<Snapshot> load(StreamId streamId);

    /** Stores the snapshot unless a snapshot of the same or a later version is already there. */
    void save(Snapshot snapshot);

    /** A store that keeps nothing. */
    static SnapshotStore none() {
        return NoSnapshots.INSTANCE;
    }
}

enum NoSnapshots implements SnapshotStore {
    INSTANCE;

    @Override
    public Optional<Snapshot> load(StreamId streamId) {
        return Optional.empty();
    }

    @Override
    public void save(Snapshot snapshot) {
    }
}
