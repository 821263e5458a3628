package dev.nosqles.saga;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The index of running sagas by when they are due (ADR 0005): one entry per saga that waits for a reply, kept by
 * the {@link SagaManager} after every orchestrator commit and read by the {@link SagaSweeper}. The saga's events
 * stay the truth; an entry only says where to look. Writes are ordered by the saga's version, so a slow writer
 * never replaces a newer entry; a stale entry that survives costs the sweeper one no-op and is then repaired.
 */
public interface SagaDeadlines {

    /**
     * What a running saga waits for.
     *
     * @param sagaId the saga
     * @param sagaType its type (which manager handles it)
     * @param commandMessageId the awaited command
     * @param attempt how often it has been re-sent (the deadline's message id depends on it)
     * @param dueAt when the saga stops waiting
     * @param version the saga's version this entry was derived from
     * @param sentAt when the awaited command was first decided (a bound for duplicate searches), or null
     * @param correlationId the saga's correlation id (the request's that started it), which the sweeper's action
     *        carries; null in entries written before it existed (the sweeper then correlates by the saga's id)
     */
    record Entry(String sagaId, String sagaType, String commandMessageId, int attempt, Instant dueAt, long version,
                 Instant sentAt, String correlationId) {
        public Entry {
            Objects.requireNonNull(sagaId, "sagaId");
            Objects.requireNonNull(sagaType, "sagaType");
            Objects.requireNonNull(commandMessageId, "commandMessageId");
            Objects.requireNonNull(dueAt, "dueAt");
            correlationId = correlationId == null || correlationId.isBlank() ? null : correlationId;
        }

        /** An entry without a correlation id (as written before it existed). */
        public Entry(String sagaId, String sagaType, String commandMessageId, int attempt, Instant dueAt,
                     long version, Instant sentAt) {
            this(sagaId, sagaType, commandMessageId, attempt, dueAt, version, sentAt, null);
        }
    }

    /** Stores the entry unless one from the same or a newer saga version is there. Idempotent. */
    void put(Entry entry);

    /** Removes the saga's entry unless it comes from a newer saga version. Idempotent. */
    void remove(String sagaId, long version);

    /**
     * Moves the saga's entry to a later due time, if it is the entry of this command's attempt and due before
     * {@code dueAt}; nothing otherwise (another command or attempt, already later, or no entry). Idempotent. The
     * command sender calls it when it sends a command late (ADR 0011: a deadline measures the participant's
     * silence from the send, not the stream's backlog before it).
     */
    void postpone(String sagaId, String commandMessageId, int attempt, Instant dueAt);

    /**
     * Arms the saga's entry once its command has been sent: its due time becomes {@code dueAt}, earlier or later
     * than the one written with the saga's commit, if it is the entry of this command's attempt and not armed yet;
     * nothing otherwise (another command or attempt, already armed, or no entry). Idempotent: a second send of the
     * same command (a retried stream batch) leaves the first send's due time. A later entry of the saga (its next
     * commit) is written unarmed. With deadlines kept by the sweeper alone ({@link
     * SagaManager.Builder#sweeperDeadlines}), the command sender arms every entry (ADR 0013): the deadline counts
     * from the send, and an entry whose command was never sent falls due later, at the allowance for unsent commands.
     */
    default void arm(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        // a default, so that an index written before sweeper deadlines existed still compiles; sweeper deadlines
        // need one that implements it (both of the framework's do)
        throw new UnsupportedOperationException(getClass().getName() + " cannot arm entries: sweeper deadlines "
                + "(SagaManager.Builder.sweeperDeadlines) need an index that implements arm");
    }

    /** The entries due at {@code now} (due at or before it). */
    List<Entry> due(Instant now);

    /** No index: sagas rely on their deadline messages alone (unit tests of other parts). Always the same one. */
    static SagaDeadlines none() {
        return NoSagaDeadlines.NONE;
    }
}
