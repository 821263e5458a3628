package dev.nosqles.store;

/**
 * An append-only store of event streams with optimistic concurrency.
 *
 * <p>Implementations: {@link dev.nosqles.store.dynamodb.DynamoDbEventStore} (production) and
 * {@link dev.nosqles.store.memory.InMemoryEventStore} (unit tests and fixtures). Both pass the same contract suite.
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
}
