package dev.nosqles.dynamodb;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The event store on DynamoDB: one item per commit, partition key = stream id, sort key = the version of the
 * commit's first event (ADR 0001).
 *
 * <ul>
 *   <li>An append is one conditional PutItem ({@code attribute_not_exists}) of one item holding all its events:
 *       atomic, no transaction, 1 WCU per started KB. Two writers expecting the same version write the same key,
 *       and DynamoDB lets exactly one of them succeed.</li>
 *   <li>A PutItem the SDK retried after its first attempt succeeded (the response was lost) fails its condition
 *       against its own commit. The item returned with the failure shows it is ours (the same commit id, that is
 *       the same first event id, and the same events), and the append is reported as the success it was.</li>
 *   <li>An expected version the store did not hand out itself ({@link ExpectedVersion#exactly}) is first checked
 *       to end a commit with one single-item Query: the check cannot go stale, because commits never change.</li>
 *   <li>A commit is stamped with the later of the clock's instant and the previous commit's timestamp, so
 *       timestamps never go backwards within a stream. The previous timestamp travels with the expected version
 *       the store handed out, or comes with the verification Query: no extra request.</li>
 *   <li>Reads are strongly consistent Queries, paged until DynamoDB has no more. A read from version {@code n}
 *       is one Query when a commit starts at {@code n}; otherwise (or when nothing is found) one more single-item
 *       Query looks back for the commit holding {@code n} or ending the stream. The version a read hands out is
 *       always one it read.</li>
 * </ul>
 */
public final class DynamoDbEventStore implements EventStore {
    private final DynamoDbClient client;
    private final String tableName;
    private final Clock clock;

    private DynamoDbEventStore(Builder builder) {
        this.client = builder.client;
        this.tableName = builder.tableName;
        this.clock = builder.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String tableName() {
        return tableName;
    }

    @Override
    public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                               EventMetadata metadata) {
        Objects.requireNonNull(expected, "expected");
        AppendValidation.validate(streamId, events, metadata);
        long first = expected.version() + 1;
        Instant now = clock.instant();
        Map<String, AttributeValue> item = checkedItem(streamId, first, events, metadata, now);
        Instant previous = VerifiedVersions.isVerified(expected, streamId)
                ? VerifiedVersions.lastCommitTimestamp(expected)
                : verifyBoundary(streamId, expected.version());
        // a commit is never stamped before the commit it follows, whatever this writer's clock says
        Instant timestamp = previous != null && previous.isAfter(now) ? previous : now;
        if (!timestamp.equals(now)) {
            item = checkedItem(streamId, first, events, metadata, timestamp);
        }
        Map<String, AttributeValue> written = item;
        try {
            client.putItem(b -> b.tableName(tableName)
                    .item(written)
                    .conditionExpression("attribute_not_exists(#s)")
                    .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            // the item at our key came back with the failure (one GetItem if a backend sends none)
            Map<String, AttributeValue> stored = e.hasItem() && !e.item().isEmpty()
                    ? e.item() : storedCommit(streamId, first);
            if (CommitItems.holdsCommit(stored, events)) {
                // our own commit: an earlier attempt of this PutItem succeeded and its response was lost
                return result(CommitItems.fromItem(stored));
            }
            // a competing commit: the stream is at least at its last version, without another request; the commit
            // goes with the conflict, so a writer one commit behind can fold it in instead of reading the stream
            if (stored == null || !stored.containsKey(CommitItems.LAST_VERSION)) {
                long actual = currentVersion(streamId);
                if (expected.version() == 0) {
                    throw new StreamAlreadyExistsException(streamId, actual);
                }
                throw new ConcurrencyConflictException(streamId, expected.version(), actual);
            }
            Commit competing = CommitItems.fromItem(stored);
            ExpectedVersion after = VerifiedVersions.verified(streamId, competing.lastVersion(), competing.timestamp());
            if (expected.version() == 0) {
                throw new StreamAlreadyExistsException(streamId, competing.lastVersion(), competing.events(), after);
            }
            throw new ConcurrencyConflictException(streamId, expected.version(), competing.lastVersion(),
                    competing.events(), after);
        }
        return result(CommitItems.fromItem(item));
    }

    private static Map<String, AttributeValue> checkedItem(StreamId streamId, long first, List<NewEvent> events,
                                                           EventMetadata metadata, Instant timestamp) {
        Map<String, AttributeValue> item = CommitItems.toItem(streamId, first, events, metadata, timestamp);
        long size = ItemSize.of(item);
        if (size > ItemSize.MAX_ITEM_BYTES) {
            throw new CommitTooLargeException(streamId, size, ItemSize.MAX_ITEM_BYTES);
        }
        return item;
    }

    private static AppendResult result(Commit commit) {
        return new AppendResult(commit.streamId(), commit.firstVersion(), commit.lastVersion(), commit.timestamp(),
                commit.events(),
                VerifiedVersions.verified(commit.streamId(), commit.lastVersion(), commit.timestamp()));
    }

    @Override
    public StreamSlice read(StreamId streamId, ReadRequest request) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(request, "request");
        List<RecordedEvent> events = new ArrayList<>();
        Commit last = null; // the last commit read: the stream's end when the read reaches it
        boolean cut = false;
        boolean first = true;
        Map<String, AttributeValue> startKey = null;
        do {
            QueryResponse page = client.query(forward(streamId, request, startKey));
            for (Map<String, AttributeValue> item : page.items()) {
                Commit commit = CommitItems.fromItem(item);
                if (first && request.fromVersion() > 1 && commit.firstVersion() > request.fromVersion()) {
                    // versions from..first-1 may sit inside a commit that starts before fromVersion; a first
                    // commit starting at fromVersion shows that fromVersion - 1 ends a commit, with no look-back
                    last = addContainingCommit(streamId, request, events);
                }
                first = false;
                if (request.asOf() != null && commit.timestamp().isAfter(request.asOf())) {
                    cut = true;
                    break;
                }
                last = commit;
                addInRange(commit, request, events);
            }
            startKey = cut || !page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()
                    ? null : page.lastEvaluatedKey();
        } while (startKey != null);
        if (first && request.fromVersion() > 1) {
            // nothing from fromVersion on: the stream ends before it, or inside a commit that holds it
            last = addContainingCommit(streamId, request, events);
        }
        if (!request.readsToEnd() || cut) {
            return new StreamSlice(streamId, events, false, last == null ? 0 : last.lastVersion(), null);
        }
        // the end as read: the last commit found, or none at all
        ExpectedVersion end = last == null ? ExpectedVersion.noStream()
                : VerifiedVersions.verified(streamId, last.lastVersion(), last.timestamp());
        return new StreamSlice(streamId, events, true, end.version(), end);
    }

    /** The stream's current version (0 when it has no events), read consistently. */
    public long currentVersion(StreamId streamId) {
        QueryResponse last = client.query(b -> b.tableName(tableName)
                .keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#l", CommitItems.LAST_VERSION))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value())))
                .projectionExpression("#l")
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(true));
        return last.items().isEmpty() ? 0 : Long.parseLong(last.items().get(0).get(CommitItems.LAST_VERSION).n());
    }

    /** The commit item at this key, read consistently; null when there is none. */
    private Map<String, AttributeValue> storedCommit(StreamId streamId, long version) {
        GetItemResponse response = client.getItem(b -> b.tableName(tableName)
                .key(CommitItems.key(streamId, version))
                .consistentRead(true));
        return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
    }

    /**
     * Checks that a commit of the stream ends exactly at {@code expected} (one single-item Query; it cannot go
     * stale, commits never change) and returns that commit's timestamp (null for 0).
     */
    private Instant verifyBoundary(StreamId streamId, long expected) {
        if (expected == 0) {
            return null;
        }
        QueryResponse response = client.query(b -> b.tableName(tableName)
                .keyConditionExpression("#s = :s AND #v <= :v")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#v", CommitItems.VERSION,
                        "#l", CommitItems.LAST_VERSION, "#t", CommitItems.TIMESTAMP))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                        ":v", AttributeValue.fromN(Long.toString(expected))))
                .projectionExpression("#l, #t")
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(true));
        Map<String, AttributeValue> commit = response.items().isEmpty() ? Map.of() : response.items().get(0);
        long lastOfCommit = commit.isEmpty() ? 0 : Long.parseLong(commit.get(CommitItems.LAST_VERSION).n());
        if (lastOfCommit != expected) {
            throw new ConcurrencyConflictException(streamId, expected, currentVersion(streamId));
        }
        return dev.nosqles.internal.Instants.parse(commit.get(CommitItems.TIMESTAMP).s());
    }

    /** Adds the events from fromVersion on of the commit before fromVersion; returns that commit (null if none). */
    private Commit addContainingCommit(StreamId streamId, ReadRequest request, List<RecordedEvent> events) {
        QueryResponse response = client.query(b -> b.tableName(tableName)
                .keyConditionExpression("#s = :s AND #v < :v")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#v", CommitItems.VERSION))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                        ":v", AttributeValue.fromN(Long.toString(request.fromVersion()))))
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(true));
        if (response.items().isEmpty()) {
            return null;
        }
        Commit commit = CommitItems.fromItem(response.items().get(0));
        if (request.asOf() != null && commit.timestamp().isAfter(request.asOf())) {
            return null;
        }
        List<RecordedEvent> before = new ArrayList<>();
        addInRange(commit, request, before);
        events.addAll(0, before);
        return commit;
    }

    private static void addInRange(Commit commit, ReadRequest request, List<RecordedEvent> into) {
        for (RecordedEvent e : commit.events()) {
            if (e.version() >= request.fromVersion() && e.version() <= request.toVersion()) {
                into.add(e);
            }
        }
    }

    private QueryRequest forward(StreamId streamId, ReadRequest request, Map<String, AttributeValue> startKey) {
        QueryRequest.Builder b = QueryRequest.builder().tableName(tableName).consistentRead(true)
                .exclusiveStartKey(startKey)
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#v", CommitItems.VERSION));
        if (request.toVersion() == Long.MAX_VALUE) {
            b.keyConditionExpression("#s = :s AND #v >= :from")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                            ":from", AttributeValue.fromN(Long.toString(request.fromVersion()))));
        } else {
            b.keyConditionExpression("#s = :s AND #v BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                            ":from", AttributeValue.fromN(Long.toString(request.fromVersion())),
                            ":to", AttributeValue.fromN(Long.toString(Math.max(request.fromVersion(),
                                    request.toVersion())))));
        }
        return b.build();
    }

    /** Configuration of a {@link DynamoDbEventStore}. */
    public static final class Builder {
        private DynamoDbClient client;
        private String tableName;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The client (required). Build it once per process. */
        public Builder client(DynamoDbClient client) {
            this.client = client;
            return this;
        }

        /** The events table (required). */
        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        /** The clock that stamps commits; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public DynamoDbEventStore build() {
            Required.part(client, "client");
            Required.name(tableName, "tableName");
            if (clock == null) {
                throw new IllegalStateException("clock must not be null");
            }
            return new DynamoDbEventStore(this);
        }
    }

    /**
     * One descending Query from {@code atOrBelowVersion}, projecting versions, timestamp and message id, paged by
     * 100 commits; it stops at the message's commit or at the first commit written before {@code writtenSince}.
     */
    @Override
    public java.util.Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId,
                                                                long atOrBelowVersion, Instant writtenSince) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(writtenSince, "writtenSince");
        if (atOrBelowVersion < 1) {
            return java.util.Optional.empty();
        }
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> from = startKey;
            QueryResponse page = client.query(b -> b.tableName(tableName)
                    .keyConditionExpression("#s = :s AND #v <= :v")
                    .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#v", CommitItems.VERSION,
                            "#l", CommitItems.LAST_VERSION, "#t", CommitItems.TIMESTAMP, "#m", CommitItems.META,
                            "#g", "msg"))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                            ":v", AttributeValue.fromN(Long.toString(atOrBelowVersion))))
                    .projectionExpression("#v, #l, #t, #m.#g")
                    .scanIndexForward(false)
                    .limit(100)
                    .consistentRead(true)
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                Instant ts = dev.nosqles.internal.Instants.parse(item.get(CommitItems.TIMESTAMP).s());
                if (ts.isBefore(writtenSince)) {
                    return java.util.Optional.empty();
                }
                AttributeValue meta = item.get(CommitItems.META);
                AttributeValue msg = meta == null || !meta.hasM() ? null : meta.m().get("msg");
                if (msg != null && messageId.equals(msg.s())) {
                    return java.util.Optional.of(new MessageCommit(Long.parseLong(item.get(CommitItems.VERSION).n()),
                            Long.parseLong(item.get(CommitItems.LAST_VERSION).n()), ts));
                }
            }
            startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey()
                    : null;
        } while (startKey != null);
        return java.util.Optional.empty();
    }
}
