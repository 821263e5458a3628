package dev.nosqles.store.dynamodb;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
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
 *   <li>An expected version the store did not hand out itself ({@link ExpectedVersion#exactly}) is first checked
 *       to end a commit with one single-item Query: the check cannot go stale, because commits never change.</li>
 *   <li>Reads are strongly consistent Queries, paged until DynamoDB has no more.</li>
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
        Instant timestamp = clock.instant();
        Map<String, AttributeValue> item = CommitItems.toItem(streamId, first, events, metadata, timestamp);
        long size = ItemSize.of(item);
        if (size > ItemSize.MAX_ITEM_BYTES) {
            throw new CommitTooLargeException(streamId, size, ItemSize.MAX_ITEM_BYTES);
        }
        if (!expected.isKnownBoundary()) {
            verifyBoundary(streamId, expected.version());
        }
        try {
            client.putItem(b -> b.tableName(tableName)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#s)")
                    .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            // the competing commit came back with the failure: the stream is at least at its last version,
            // without another request
            long actual = e.hasItem() && e.item().containsKey(CommitItems.LAST_VERSION)
                    ? Long.parseLong(e.item().get(CommitItems.LAST_VERSION).n())
                    : currentVersion(streamId);
            if (expected.version() == 0) {
                throw new StreamAlreadyExistsException(streamId, actual);
            }
            throw new ConcurrencyConflictException(streamId, expected.version(), actual);
        }
        Commit commit = CommitItems.fromItem(item);
        return new AppendResult(streamId, first, commit.lastVersion(), timestamp, commit.events());
    }

    @Override
    public StreamSlice read(StreamId streamId, ReadRequest request) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(request, "request");
        List<RecordedEvent> events = new ArrayList<>();
        long streamVersion = 0;
        boolean cut = false;
        boolean first = true;
        Map<String, AttributeValue> startKey = null;
        do {
            QueryResponse page = client.query(forward(streamId, request, startKey));
            for (Map<String, AttributeValue> item : page.items()) {
                Commit commit = CommitItems.fromItem(item);
                if (first && lookBack(request) && commit.firstVersion() > request.fromVersion()) {
                    // versions from..first-1 may sit inside a commit that starts before fromVersion
                    streamVersion = Math.max(streamVersion, addContainingCommit(streamId, request, events));
                }
                first = false;
                if (request.asOf() != null && commit.timestamp().isAfter(request.asOf())) {
                    cut = true;
                    break;
                }
                streamVersion = Math.max(streamVersion, commit.lastVersion());
                addInRange(commit, request, events);
            }
            startKey = cut || !page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()
                    ? null : page.lastEvaluatedKey();
        } while (startKey != null);
        if (first && lookBack(request)) {
            streamVersion = Math.max(streamVersion, addContainingCommit(streamId, request, events));
        } else if (first && request.afterCommitEnd()) {
            // nothing after a version known to end a commit: the stream ends there (if the caller was right)
            streamVersion = request.fromVersion() - 1;
        }
        boolean reachedEnd = request.readsToEnd() && !cut;
        return new StreamSlice(streamId, events, reachedEnd, streamVersion);
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

    private void verifyBoundary(StreamId streamId, long expected) {
        QueryResponse response = client.query(b -> b.tableName(tableName)
                .keyConditionExpression("#s = :s AND #v <= :v")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#v", CommitItems.VERSION,
                        "#l", CommitItems.LAST_VERSION))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                        ":v", AttributeValue.fromN(Long.toString(expected))))
                .projectionExpression("#l")
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(true));
        long lastOfCommit = response.items().isEmpty()
                ? 0 : Long.parseLong(response.items().get(0).get(CommitItems.LAST_VERSION).n());
        if (lastOfCommit != expected) {
            throw new ConcurrencyConflictException(streamId, expected, currentVersion(streamId));
        }
    }

    private long addContainingCommit(StreamId streamId, ReadRequest request, List<RecordedEvent> events) {
        QueryResponse response = client.query(b -> b.tableName(tableName)
                .keyConditionExpression("#s = :s AND #v < :v")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID, "#v", CommitItems.VERSION))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                        ":v", AttributeValue.fromN(Long.toString(request.fromVersion()))))
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(true));
        if (response.items().isEmpty()) {
            return 0;
        }
        Commit commit = CommitItems.fromItem(response.items().get(0));
        if (request.asOf() != null && commit.timestamp().isAfter(request.asOf())) {
            return 0;
        }
        List<RecordedEvent> before = new ArrayList<>();
        addInRange(commit, request, before);
        events.addAll(0, before);
        return commit.lastVersion();
    }

    /** Versions from..first-1 may sit inside a commit that starts before fromVersion. */
    private static boolean lookBack(ReadRequest request) {
        return request.fromVersion() > 1 && !request.afterCommitEnd();
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
            if (client == null) {
                throw new IllegalStateException("client is required");
            }
            if (tableName == null || tableName.isBlank()) {
                throw new IllegalStateException("tableName is required");
            }
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
                Instant ts = Instant.parse(item.get(CommitItems.TIMESTAMP).s());
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
