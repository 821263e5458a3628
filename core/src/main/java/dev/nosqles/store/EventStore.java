package dev.nosqles.store;

/**
 * An append-only store of event streams with optimistic concurrency.
 *
 * <p>Implementations: {@link dev.nosqles.dynamodb.DynamoDbEventStore} (production) and
 * {@link dev.nosqles.memory.InMemoryEventStore} (unit tests and fixtures). Both pass the same contract suite.
 */
public interface EventStore {

    /**
     * Appends events atomically: all of them or none.
     *
     * <p>Idempotent per commit: a commit is identified by its first event's id (its commit id). An append whose
     * commit is already stored at the position it expects (the same events, written by an earlier attempt whose
     * response was lost, or retried by the SDK) returns that commit's result instead of a conflict, and the
     * stream holds the commit once. Retry an append with the same {@link NewEvent}s, never with new ids.
     *
     * @throws ConcurrencyConflictException the stream is not at {@code expected}
     * @throws StreamAlreadyExistsException {@code expected} is no stream and the stream exists
     * @throws InvalidAppendException no events, duplicate ids, bad type names or data
     * @throws CommitTooLargeException the events do not fit in one item
     */
    AppendResult append(StreamId streamId, ExpectedVersion expected, java.util.List<NewEvent> events,
                        EventMetadata metadata);

    /**
     * Reads part of a stream; an unknown stream reads as empty. When the read reaches the end, the slice's
     * {@link StreamSlice#expectedVersion()} is the stream's version as the store read it (never a number taken
     * from the request), verified, so appending after it needs no further check.
     */
    StreamSlice read(StreamId streamId, ReadRequest request);

    /** Reads the whole stream. */
    default StreamSlice read(StreamId streamId) {
        return read(streamId, ReadRequest.all());
    }

    /**
     * Looks for the commit that holds message {@code messageId}, backwards from the commit that starts at or
     * below {@code atOrBelowVersion}, among the commits written at or after {@code writtenSince}: the search stops
     * at the first older commit (commit timestamps never go backwards within a stream). For deduplication of a
     * message older than what a snapshot remembers (ADR 0003).
     *
     * <p>The default reads the stream up to {@code atOrBelowVersion}; the stores override it. On DynamoDB it is one
     * descending Query projecting each commit's versions, timestamp and message id (paged by 100 commits while it
     * has to go on); the read units are those of the commits it passes, not of the events in them only.
     *
     * @return the commit holding the message (its first and last version and its timestamp), or empty
     */
    default java.util.Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId,
                                                                long atOrBelowVersion,
                                                                java.time.Instant writtenSince) {
        java.util.Objects.requireNonNull(messageId, "messageId");
        java.util.Objects.requireNonNull(writtenSince, "writtenSince");
        if (atOrBelowVersion < 1) {
            return java.util.Optional.empty();
        }
        java.util.List<RecordedEvent> events = read(streamId, ReadRequest.upTo(atOrBelowVersion)).events();
        for (int i = events.size() - 1; i >= 0; i--) {
            RecordedEvent e = events.get(i);
            if (e.timestamp().isBefore(writtenSince)) {
                return java.util.Optional.empty();
            }
            if (messageId.equals(e.metadata().messageId())) {
                long last = e.version();
                long first = last;
                while (i > 0 && events.get(i - 1).timestamp().equals(e.timestamp())
                        && messageId.equals(events.get(i - 1).metadata().messageId())) {
                    first = events.get(--i).version();
                }
                return java.util.Optional.of(new MessageCommit(first, last, e.timestamp()));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Where a message was committed, as {@link #findMessageCommit} finds it.
     *
     * @param firstVersion the version of the commit's first event
     * @param lastVersion the version of its last event (as far as it was read)
     * @param timestamp the commit's timestamp
     */
    record MessageCommit(long firstVersion, long lastVersion, java.time.Instant timestamp) {
    }
}
