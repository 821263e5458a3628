package dev.nosqles.store;

import dev.nosqles.EventSourcingException;
import java.util.List;
import java.util.Optional;

/**
 * The stream was not at the expected version: another writer got there first, or the expected version was
 * never a version the stream ended at. Nothing was written.
 *
 * <p>When another writer got there first, the stores hand back the commit it stored at the position this append
 * wanted ({@link #competingCommit()}): DynamoDB returns it with the failed conditional write
 * ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}, no read unit), the in-memory store does the same. A writer
 * whose state was exactly one commit behind can fold it in and append after it ({@link #afterCompetingCommit()})
 * without reading the stream again. The message never holds the events.
 */
public class ConcurrencyConflictException extends EventSourcingException {
    private final StreamId streamId;
    private final long expectedVersion;
    private final long actualVersion;
    private final int attempts;
    private final transient List<RecordedEvent> competingCommit;
    private final transient ExpectedVersion afterCompetingCommit;

    public ConcurrencyConflictException(StreamId streamId, long expectedVersion, long actualVersion) {
        this(streamId, expectedVersion, actualVersion, 1);
    }

    public ConcurrencyConflictException(StreamId streamId, long expectedVersion, long actualVersion, int attempts) {
        this(streamId, expectedVersion, actualVersion, attempts, List.of(), null);
    }

    /**
     * A conflict with the commit another writer stored at the position the append expected.
     *
     * @param competingCommit the events of that commit, as stored; its first version is {@code expectedVersion + 1}
     * @param afterCompetingCommit the version to append after that commit (its last version); a store hands out
     *        one it verified, since it read the commit
     */
    public ConcurrencyConflictException(StreamId streamId, long expectedVersion, long actualVersion,
                                        List<RecordedEvent> competingCommit, ExpectedVersion afterCompetingCommit) {
        this(streamId, expectedVersion, actualVersion, 1, competingCommit, afterCompetingCommit);
    }

    ConcurrencyConflictException(StreamId streamId, long expectedVersion, long actualVersion, int attempts,
                                 List<RecordedEvent> competingCommit, ExpectedVersion afterCompetingCommit) {
        super(streamId + ": expected version " + expectedVersion + " but the stream is at version " + actualVersion
                + (attempts > 1 ? " after " + attempts + " attempts" : ""));
        this.streamId = streamId;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
        this.attempts = attempts;
        this.competingCommit = List.copyOf(competingCommit);
        if (!this.competingCommit.isEmpty()) {
            RecordedEvent first = this.competingCommit.get(0);
            RecordedEvent last = this.competingCommit.get(this.competingCommit.size() - 1);
            if (first.version() != expectedVersion + 1 || afterCompetingCommit == null
                    || afterCompetingCommit.version() != last.version()
                    || last.version() - first.version() + 1 != this.competingCommit.size()) {
                throw new IllegalArgumentException("a competing commit starts just after the expected version, has"
                        + " contiguous versions and is appended after at its last version");
            }
        }
        this.afterCompetingCommit = this.competingCommit.isEmpty() ? null : afterCompetingCommit;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /**
     * The stream's version when the conflict was detected: exact when the expected version was wrong, at least
     * this when a concurrent writer won (the DynamoDB store reports the winning commit's last version, which it
     * gets back with the failed write, rather than paying another read). It may have moved on since.
     */
    public long actualVersion() {
        return actualVersion;
    }

    /** How many attempts were made (1 for a plain append; more when a repository retried). */
    public int attempts() {
        return attempts;
    }

    /**
     * The commit another writer stored where this append wanted to go (its first version is
     * {@link #expectedVersion()} + 1), as stored, in the schema it was written with; empty when the store does not
     * know it (the expected version did not end a commit, or the conflict was reported after retries). Later
     * commits may follow it.
     */
    public List<RecordedEvent> competingCommit() {
        return competingCommit == null ? List.of() : competingCommit;
    }

    /** The version to append after the {@link #competingCommit()}; empty when there is none. */
    public Optional<ExpectedVersion> afterCompetingCommit() {
        return Optional.ofNullable(afterCompetingCommit);
    }
}
