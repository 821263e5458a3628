package dev.nosqles.store.memory;

import dev.nosqles.capacity.ItemSize;
import dev.nosqles.internal.AppendValidation;
import dev.nosqles.internal.CommitItems;
import dev.nosqles.internal.CommitItems.Commit;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.CommitTooLargeException;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An event store in memory with the DynamoDB store's semantics, commit items and size limit included.
 * For unit tests and fixtures; it passes the same contract suite as {@link
 * dev.nosqles.store.dynamodb.DynamoDbEventStore}.
 */
public final class InMemoryEventStore implements EventStore {
    private final Map<StreamId, List<Commit>> streams = new HashMap<>();
    private final Clock clock;

    public InMemoryEventStore() {
        this(Clock.systemUTC());
    }

    public InMemoryEventStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                                            EventMetadata metadata) {
        Objects.requireNonNull(expected, "expected");
        AppendValidation.validate(streamId, events, metadata);
        Instant timestamp = clock.instant();
        long first = expected.version() + 1;
        Map<String, AttributeValue> item = CommitItems.toItem(streamId, first, events, metadata, timestamp);
        long size = ItemSize.of(item);
        if (size > ItemSize.MAX_ITEM_BYTES) {
            throw new CommitTooLargeException(streamId, size, ItemSize.MAX_ITEM_BYTES);
        }
        List<Commit> commits = streams.computeIfAbsent(streamId, k -> new ArrayList<>());
        long actual = commits.isEmpty() ? 0 : commits.get(commits.size() - 1).lastVersion();
        if (actual != expected.version()) {
            if (expected.version() == 0) {
                throw new StreamAlreadyExistsException(streamId, actual);
            }
            throw new ConcurrencyConflictException(streamId, expected.version(), actual);
        }
        Commit commit = CommitItems.fromItem(item);
        commits.add(commit);
        return new AppendResult(streamId, first, commit.lastVersion(), timestamp, commit.events());
    }

    @Override
    public synchronized StreamSlice read(StreamId streamId, ReadRequest request) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(request, "request");
        List<RecordedEvent> events = new ArrayList<>();
        long streamVersion = 0;
        boolean cut = false;
        for (Commit commit : streams.getOrDefault(streamId, List.of())) {
            if (request.asOf() != null && commit.timestamp().isAfter(request.asOf())) {
                cut = true;
                break;
            }
            streamVersion = commit.lastVersion();
            for (RecordedEvent e : commit.events()) {
                if (e.version() >= request.fromVersion() && e.version() <= request.toVersion()) {
                    events.add(e);
                }
            }
        }
        return new StreamSlice(streamId, events, request.readsToEnd() && !cut, streamVersion);
    }

    @Override
    public synchronized java.util.Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId,
                                                                             long atOrBelowVersion,
                                                                             Instant writtenSince) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(writtenSince, "writtenSince");
        List<Commit> commits = streams.getOrDefault(streamId, List.of());
        for (int i = commits.size() - 1; i >= 0; i--) {
            Commit commit = commits.get(i);
            if (commit.firstVersion() > atOrBelowVersion) {
                continue;
            }
            if (commit.timestamp().isBefore(writtenSince)) {
                return java.util.Optional.empty();
            }
            if (messageId.equals(commit.metadata().messageId())) {
                return java.util.Optional.of(new MessageCommit(commit.firstVersion(), commit.lastVersion(),
                        commit.timestamp()));
            }
        }
        return java.util.Optional.empty();
    }
}
