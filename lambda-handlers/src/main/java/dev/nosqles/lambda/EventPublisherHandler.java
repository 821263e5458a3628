package dev.nosqles.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.lambda.internal.LambdaJson;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.subscription.ClaimCheck;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.BatchEntryRejectedException;
import dev.nosqles.subscription.RawBatchHandler;
import dev.nosqles.subscription.Subscriber;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishBatchRequestEntry;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;

/**
 * Publishes the domain events of the aggregate types it is configured for to an SNS FIFO topic for other services
 * (ADR 0003): message group = derived from the aggregate's stream id ({@link #messageGroupId}: order per
 * aggregate), deduplication id = the event id (a redelivered record within SNS's 5-minute window is dropped by
 * SNS; the subscriber checkpoint drops later ones). The body is a CloudEvents 1.0 JSON envelope, documented in
 * {@code src/site/markdown/event-envelope.md}; a message that would exceed SNS's size limit is published as a
 * {@link ClaimCheck} instead, so that it never fails forever. Pseudo events and aggregate types not configured
 * (saga orchestrators, other internals) are never published.
 *
 * <p>A stream batch's events go out with SNS {@code PublishBatch}, ten aggregates' next events per request (ADR
 * 0022): one aggregate's events in version order, each only after the one before it was published, an entry SNS
 * refuses failing its own event only.
 *
 * <p>This handler is the publisher as a function of its own, for an application with no other stream function.
 * One that has one holds the publisher there instead ({@link #subscriber(SnsClient, String, Set)}): every reader
 * of a table stream costs an invocation per commit, and a stream serves at most two (ADR 0012). The reference
 * application does so.
 *
 * <p>Environment: {@code EVENTS_TABLE}, {@code CHECKPOINTS_TABLE}, {@code EVENTS_TOPIC_ARN},
 * {@code PUBLISHED_AGGREGATE_TYPES} (comma-separated aggregate types, e.g. {@code Order,Customer}),
 * {@code AWS_REGION}.
 */
public final class EventPublisherHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    /** The subscriber name under which the publisher keeps its checkpoints. */
    public static final String SUBSCRIBER = "event-publisher";
    /**
     * SNS's limit on a message, body and message attributes (names, data types and values), in bytes; also on all
     * the messages of one {@code PublishBatch}.
     */
    public static final int SNS_MAX_MESSAGE_BYTES = 262_144;
    /** SNS's limit on the entries of one {@code PublishBatch}. */
    public static final int MAX_BATCH_ENTRIES = 10;
    /** SNS FIFO's limit on a message group id, in characters. */
    public static final int MAX_GROUP_ID = 128;

    private static final Pattern AGGREGATE_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");

    private final StreamSubscriptionHandler stream;
    /** Held here: CRaC keeps resources only weakly. */
    private SnapStartPriming priming;

    public EventPublisherHandler() {
        this(FunctionEnvironment.system());
        this.priming = SnapStartPriming.register(this::prime);
    }

    public EventPublisherHandler(Function<String, String> env) {
        this(FunctionEnvironment.of(env));
    }

    private EventPublisherHandler(FunctionEnvironment env) {
        this(env.dynamoDb(), env.sns(), env.required("EVENTS_TABLE"), env.required("CHECKPOINTS_TABLE"),
                env.required("EVENTS_TOPIC_ARN"), publishedTypes(env.required("PUBLISHED_AGGREGATE_TYPES")),
                env.telemetry());
    }

    private EventPublisherHandler(DynamoDbClient dynamo, SnsClient sns, String eventsTable, String checkpointsTable,
                                  String topicArn, Set<String> publishedTypes, Telemetry telemetry) {
        this.stream = new StreamSubscriptionHandler(new EventDispatcher(List.of(subscriber(sns, topicArn,
                publishedTypes, SNS_MAX_MESSAGE_BYTES)),
                DynamoDbCheckpointStore.builder().client(dynamo).tableName(checkpointsTable).build(),
                DynamoDbEventStore.builder().client(dynamo).tableName(eventsTable).build()), (newest, types) -> { },
                telemetry);
    }

    /** For tests and the local runtime: publishes the domain events of {@code publishedTypes}. */
    public EventPublisherHandler(EventStore store, CheckpointStore checkpoints, SnsClient sns, String topicArn,
                                 Set<String> publishedTypes) {
        this(store, checkpoints, sns, topicArn, publishedTypes, SNS_MAX_MESSAGE_BYTES);
    }

    /** As above, with another size limit from which on a claim check is published (tests). */
    EventPublisherHandler(EventStore store, CheckpointStore checkpoints, SnsClient sns, String topicArn,
                          Set<String> publishedTypes, int maxMessageBytes) {
        this.stream = new StreamSubscriptionHandler(new EventDispatcher(List.of(subscriber(sns, topicArn, publishedTypes, maxMessageBytes)), checkpoints,
                store));
    }

    /**
     * Parses {@code PUBLISHED_AGGREGATE_TYPES}: aggregate type names separated by commas.
     *
     * @throws IllegalArgumentException empty, or a name that is no aggregate type
     */
    public static Set<String> publishedTypes(String value) {
        Set<String> types = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            String type = part.strip();
            if (!AGGREGATE_TYPE.matcher(type).matches()) {
                throw new IllegalArgumentException("PUBLISHED_AGGREGATE_TYPES must be aggregate types separated by "
                        + "commas, each matching " + AGGREGATE_TYPE.pattern());
            }
            types.add(type);
        }
        return Set.copyOf(types);
    }

    /**
     * The publisher as a subscriber, for an application's own stream function to hold beside its other subscribers
     * (one reader of the events stream for all of them: ADR 0012). Named {@value #SUBSCRIBER} and keeping
     * checkpoints under that name, as this handler does: moving the publisher from its own function into another
     * continues from its checkpoints, nothing is published twice.
     *
     * @param publishedTypes the aggregate types whose events are published (pseudo events never are)
     * @throws IllegalArgumentException no type, or a name that is no aggregate type
     */
    public static Subscriber subscriber(SnsClient sns, String topicArn, Set<String> publishedTypes) {
        return subscriber(sns, topicArn, publishedTypes, SNS_MAX_MESSAGE_BYTES);
    }

    static Subscriber subscriber(SnsClient sns, String topicArn, Set<String> publishedTypes, int maxMessageBytes) {
        if (publishedTypes.isEmpty() || !publishedTypes.stream().allMatch(t -> AGGREGATE_TYPE.matcher(t).matches())) {
            throw new IllegalArgumentException("publish at least one aggregate type, each named (no wildcard)");
        }
        return Subscriber.builder(SUBSCRIBER)
                .onRawBatch(publishedTypes, new Publishing(sns, topicArn, maxMessageBytes)).build();
    }

    /**
     * The events of a round (at most one per aggregate, ADR 0022) published with SNS {@code PublishBatch}: up to
     * {@value #MAX_BATCH_ENTRIES} entries and {@code maxBytes} in all per request, so that a stream batch's events
     * cost a request per ten aggregates rather than one per event. An entry SNS refuses fails its event only (the
     * others took effect); a request that fails fails its entries. Pseudo events are not taken.
     */
    private record Publishing(SnsClient sns, String topicArn, int maxBytes) implements RawBatchHandler {
        @Override
        public boolean takes(RecordedEvent event) {
            return !dev.nosqles.aggregate.PseudoEvent.isPseudo(event.type());
        }

        @Override
        public Map<Integer, Exception> handle(List<RecordedEvent> events) {
            Map<Integer, Exception> failed = new HashMap<>();
            List<Integer> chunk = new ArrayList<>();
            List<PublishBatchRequestEntry> entries = new ArrayList<>();
            int bytes = 0;
            for (int i = 0; i < events.size(); i++) {
                RecordedEvent event = events.get(i);
                PublishBatchRequestEntry entry;
                int size;
                try {
                    Map<String, MessageAttributeValue> attributes = attributes(event);
                    String body = envelope(event);
                    size = size(body, attributes);
                    if (size > maxBytes) {
                        body = claimCheckEnvelope(event);
                        attributes.put(ClaimCheck.ATTRIBUTE, text("true"));
                        size = size(body, attributes);
                    }
                    entry = PublishBatchRequestEntry.builder().id(String.valueOf(i)).message(body)
                            .messageGroupId(messageGroupId(event.streamId()))
                            .messageDeduplicationId(event.eventId().toString())
                            .messageAttributes(attributes).build();
                } catch (RuntimeException e) { // an event that cannot be published fails alone (its aggregate)
                    failed.put(i, e);
                    continue;
                }
                if (!chunk.isEmpty() && (chunk.size() == MAX_BATCH_ENTRIES || bytes + size > maxBytes)) {
                    send(events, chunk, entries, failed);
                    chunk = new ArrayList<>();
                    entries = new ArrayList<>();
                    bytes = 0;
                }
                chunk.add(i);
                bytes += size;
                entries.add(entry);
            }
            if (!chunk.isEmpty()) {
                send(events, chunk, entries, failed);
            }
            return failed;
        }

        /** One PublishBatch; what SNS did not confirm is failed (the entry's event is published again). */
        private void send(List<RecordedEvent> events, List<Integer> chunk, List<PublishBatchRequestEntry> entries,
                          Map<Integer, Exception> failed) {
            PublishBatchResponse response;
            try {
                response = sns.publishBatch(b -> b.topicArn(topicArn).publishBatchRequestEntries(entries));
            } catch (RuntimeException e) {
                chunk.forEach(i -> failed.put(i, e));
                return;
            }
            Set<Integer> confirmed = new HashSet<>();
            response.successful().forEach(ok -> confirmed.add(Integer.valueOf(ok.id())));
            for (BatchResultErrorEntry refused : response.failed()) {
                int i = Integer.parseInt(refused.id());
                failed.put(i, new BatchEntryRejectedException(events.get(i).streamId(), events.get(i).version(),
                        refused.code(), Boolean.TRUE.equals(refused.senderFault())));
            }
            for (int i : chunk) {
                if (!confirmed.contains(i) && !failed.containsKey(i)) {
                    failed.put(i, new BatchEntryRejectedException(events.get(i).streamId(), events.get(i).version(),
                            "NotConfirmed", false));
                }
            }
        }
    }

    private static Map<String, MessageAttributeValue> attributes(RecordedEvent event) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put("type", text(event.type()));
        attributes.put("aggregateType", text(event.streamId().type()));
        if (event.metadata().traceHeader() != null) {
            // SNS has no system attribute for it: subscribers read it to continue the order's trace
            attributes.put(Telemetry.AWS_TRACE_HEADER, text(event.metadata().traceHeader()));
        }
        return attributes;
    }

    /**
     * The SNS FIFO message group of a stream: the stream id itself when it fits in {@value #MAX_GROUP_ID}
     * characters (readable), else its first 63 characters, {@code #} and the SHA-256 of the whole stream id in hex
     * (64 characters). Stable; two streams share a group only by a SHA-256 collision ({@code #} never occurs in a
     * stream id, so a hashed group never equals a readable one).
     */
    public static String messageGroupId(StreamId streamId) {
        String value = streamId.value();
        if (value.length() <= MAX_GROUP_ID) {
            return value;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return value.substring(0, MAX_GROUP_ID - 65) + "#" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The CloudEvents 1.0 structured-mode JSON of an event. */
    public static String envelope(RecordedEvent event) {
        ObjectNode root = header(event);
        try {
            root.set("data", LambdaJson.mapper().readTree(event.data()));
            return LambdaJson.mapper().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(event.streamId() + " version " + event.version() + ": stored data is not JSON");
        }
    }

    /** The claim check of an event: its envelope without {@code data}, flagged and pointing at the event store. */
    public static String claimCheckEnvelope(RecordedEvent event) {
        ObjectNode root = header(event);
        root.put(ClaimCheck.FLAG, true);
        root.put("dataref", ClaimCheck.dataref(event.streamId(), event.version()));
        try {
            return LambdaJson.mapper().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(event.streamId() + " version " + event.version() + ": not serialisable");
        }
    }

    /** What SNS counts against its size limit: the body and each attribute's name, data type and value. */
    static int size(String body, Map<String, MessageAttributeValue> attributes) {
        int size = utf8(body);
        for (Map.Entry<String, MessageAttributeValue> a : attributes.entrySet()) {
            size += utf8(a.getKey()) + utf8(a.getValue().dataType()) + utf8(a.getValue().stringValue());
        }
        return size;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static ObjectNode header(RecordedEvent event) {
        ObjectNode root = LambdaJson.mapper().createObjectNode();
        root.put("specversion", "1.0");
        root.put("id", event.eventId().toString());
        root.put("source", "nosqles:" + event.streamId().type());
        root.put("type", event.type());
        root.put("subject", event.streamId().value());
        root.put("time", event.timestamp().toString());
        root.put("datacontenttype", "application/json");
        root.put("aggregatetype", event.streamId().type());
        root.put("aggregateid", event.streamId().id());
        root.put("sequence", event.version());
        root.put("schemaversion", event.schemaVersion());
        putIfPresent(root, "correlationid", event.metadata().correlationId());
        putIfPresent(root, "causationid", event.metadata().causationId());
        putIfPresent(root, "messageid", event.metadata().messageId());
        putIfPresent(root, "principal", event.metadata().principal());
        return root;
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return stream.handleRequest(event, context);
    }

    /** Harmless work that warms this function ({@link StreamSubscriptionHandler#prime()}): writes nothing. */
    public void prime() {
        stream.prime();
    }
}
