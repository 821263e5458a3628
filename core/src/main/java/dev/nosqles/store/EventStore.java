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
     * @throws ConcurrencyConflictException the stream is not at {@code expected}
     * @throws StreamAlreadyExistsException {@code expected} is no stream and the stream exists
     * @throws InvalidAppendException no events, duplicate ids, bad type names or data
     * @throws CommitTooLargeException the events do not fit in one item
     */
    AppendResult append(StreamId streamId, ExpectedVersion expected, java.util.List<NewEvent> events,
                        EventMetadata metadata);

    /** Reads part of a stream; an unknown stream reads as empty. */
    StreamSlice read(StreamId streamId, ReadRequest request);

    /** Reads the whole stream. */
    default StreamSlice read(StreamId streamId) {
        return read(streamId, ReadRequest.all());
    }
}
