package dev.nosqles.memory;

import dev.nosqles.capacity.ItemSize;
import dev.nosqles.internal.AppendValidation;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.dynamodb.internal.CommitItems.Commit;
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
import dev.nosqles.store.internal.VerifiedVersions;
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
 * dev.nosqles.dynamodb.DynamoDbEventStore}.
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
        Instant now = clock.instant();
        long first = expected.version() + 1;
        checkSize(streamId, CommitItems.toItem(streamId, first, events, metadata, now));
        List<Commit> commits = streams.computeIfAbsent(streamId, k -> new ArrayList<>());
        Commit previous = commits.isEmpty() ? null : commits.get(commits.size() - 1);
        long actual = previous == null ? 0 : previous.lastVersion();
        if (actual != expected.version()) {
            for (Commit stored : commits) {
                if (stored.firstVersion() == first && CommitItems.sameEvents(stored, events)) {
                    // our own commit, appended by an earlier attempt whose answer was lost: success, stored once
                    return result(stored);
                }
            }
            // the commit at the position the append wanted goes with the conflict, as DynamoDB returns it
            for (Commit stored : commits) {
                if (stored.firstVersion() == first) {
                    ExpectedVersion after = VerifiedVersions.verified(streamId, stored.lastVersion(),
                            stored.timestamp());
                    if (expected.version() == 0) {
                        throw new StreamAlreadyExistsException(streamId, actual, stored.events(), after);
                    }
                    throw new ConcurrencyConflictException(streamId, expected.version(), actual, stored.events(),
                            after);
                }
            }
            if (expected.version() == 0) {
                throw new StreamAlreadyExistsException(streamId, actual);
            }
            throw new ConcurrencyConflictException(streamId, expected.version(), actual);
        }
        // a commit is never stamped before the commit it follows, whatever the clock says
        Instant timestamp = previous != null && previous.timestamp().isAfter(now) ? previous.timestamp() : now;
        Map<String, AttributeValue> item = CommitItems.toItem(streamId, first, events, metadata, timestamp);
        checkSize(streamId, item);
        Commit commit = CommitItems.fromItem(item);
        commits.add(commit);
        return result(commit);
    }

    private static void checkSize(StreamId streamId, Map<String, AttributeValue> item) {
        long size = ItemSize.of(item);
        if (size > ItemSize.MAX_ITEM_BYTES) {
            throw new CommitTooLargeException(streamId, size, ItemSize.MAX_ITEM_BYTES);
        }
    }

    private static AppendResult result(Commit commit) {
        return new AppendResult(commit.streamId(), commit.firstVersion(), commit.lastVersion(), commit.timestamp(),
                commit.events(),
                VerifiedVersions.verified(commit.streamId(), commit.lastVersion(), commit.timestamp()));
    }

    @Override
    public synchronized StreamSlice read(StreamId streamId, ReadRequest request) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(request, "request");
        List<RecordedEvent> events = new ArrayList<>();
        Commit last = null;
        boolean cut = false;
        for (Commit commit : streams.getOrDefault(streamId, List.of())) {
            if (request.asOf() != null && commit.timestamp().isAfter(request.asOf())) {
                cut = true;
                break;
            }
            last = commit;
            for (RecordedEvent e : commit.events()) {
                if (e.version() >= request.fromVersion() && e.version() <= request.toVersion()) {
                    events.add(e);
                }
            }
        }
        if (!request.readsToEnd() || cut) {
            return new StreamSlice(streamId, events, false, last == null ? 0 : last.lastVersion(), null);
        }
        ExpectedVersion end = last == null ? ExpectedVersion.noStream()
                : VerifiedVersions.verified(streamId, last.lastVersion(), last.timestamp());
        return new StreamSlice(streamId, events, true, end.version(), end);
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
