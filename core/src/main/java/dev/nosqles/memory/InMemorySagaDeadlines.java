package dev.nosqles.memory;

import dev.nosqles.saga.SagaDeadlines;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SagaDeadlines} in memory, with the same version rules as the DynamoDB table: a test double for unit tests
 * and fixtures (no required configuration).
 */
public final class InMemorySagaDeadlines implements SagaDeadlines {
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Saga ids whose current entry is armed; a newer entry of the saga is not (as an item put anew). */
    private final Set<String> armed = ConcurrentHashMap.newKeySet();

    @Override
    public synchronized void put(Entry entry) {
        Entry kept = entries.merge(entry.sagaId(), entry, (old, now) -> now.version() > old.version() ? now : old);
        if (kept == entry) {
            armed.remove(entry.sagaId());
        }
    }

    @Override
    public synchronized void arm(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        Entry e = entries.get(sagaId);
        if (e != null && e.commandMessageId().equals(commandMessageId) && e.attempt() == attempt
                && armed.add(sagaId)) {
            entries.put(sagaId, due(e, dueAt));
        }
    }

    @Override
    public synchronized void remove(String sagaId, long version) {
        entries.computeIfPresent(sagaId, (id, old) -> old.version() <= version ? null : old);
    }

    @Override
    public synchronized void postpone(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        entries.computeIfPresent(sagaId, (id, e) -> e.commandMessageId().equals(commandMessageId)
                && e.attempt() == attempt && e.dueAt().isBefore(dueAt) ? due(e, dueAt) : e);
    }

    /** The entry due at another time. */
    private static Entry due(Entry e, Instant dueAt) {
        return new Entry(e.sagaId(), e.sagaType(), e.commandMessageId(), e.attempt(), dueAt, e.version(),
                e.sentAt(), e.correlationId());
    }

    @Override
    public List<Entry> due(Instant now) {
        return entries.values().stream().filter(e -> !e.dueAt().isAfter(now))
                .sorted(Comparator.comparing(Entry::dueAt)).toList();
    }

    /** Every entry, due or not. */
    public List<Entry> all() {
        return List.copyOf(entries.values());
    }
}
