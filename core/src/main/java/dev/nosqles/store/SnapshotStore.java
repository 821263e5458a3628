package dev.nosqles.store;

import java.util.Optional;

/** Keeps the latest snapshot of each stream. */
public interface SnapshotStore {
    /** The latest snapshot, if any. */
    Optional<Snapshot> load(StreamId streamId);

    /** Stores the snapshot unless a snapshot of the same or a later version is already there. */
    void save(Snapshot snapshot);

    /**
     * Deletes the stream's snapshot, if any; idempotent. Used when a subject is forgotten (ADR 0008): a snapshot
     * written before its personal data was declared holds it in plain text.
     */
    void delete(StreamId streamId);

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

    @Override
    public void delete(StreamId streamId) {
    }
}
