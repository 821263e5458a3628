package dev.nosqles.aggregate;

import dev.nosqles.store.StreamId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One command per aggregate at a time within one repository (ADR 0018): threads of one process that update the same
 * aggregate take turns instead of racing each other to the store, where all but one would lose, each loss a failed
 * conditional write and a retry. Writers in other processes are still kept apart by the conditional write alone.
 * A turn exists only while some thread holds or waits for it.
 */
final class Turns {
    private final ConcurrentHashMap<StreamId, Turn> turns = new ConcurrentHashMap<>();

    private static final class Turn {
        final ReentrantLock lock = new ReentrantLock();
        /** Threads holding or waiting for the turn; changed only inside the map's compute functions. */
        int users;
    }

    <T> T take(StreamId streamId, Supplier<T> body) {
        Turn turn = turns.compute(streamId, (id, t) -> {
            Turn held = t == null ? new Turn() : t;
            held.users++;
            return held;
        });
        turn.lock.lock();
        try {
            return body.get();
        } finally {
            turn.lock.unlock();
            turns.computeIfPresent(streamId, (id, t) -> --t.users == 0 ? null : t);
        }
    }

    /** Aggregates with a thread holding or waiting for their turn (for tests). */
    int active() {
        return turns.size();
    }
}
