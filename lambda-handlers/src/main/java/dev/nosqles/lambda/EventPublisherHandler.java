package dev.nosqles.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.dynamodb.DynamoDbEventStore;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.subscription.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Publishes every domain event to an SNS FIFO topic for other services (ADR 0003): message group = the
 * aggregate's stream id (order per aggregate), deduplication id = the event id (a redelivered record within
 * SNS's 5-minute window is dropped by SNS; the subscriber checkpoint drops later ones). The body is a
 * CloudEvents 1.0 JSON envelope, documented in {@code src/site/markdown/event-envelope.md}. Pseudo events are not
 * published.
 *
 * <p>Environment: {@code EVENTS_TABLE}, {@code CHECKPOINTS_TABLE}, {@code EVENTS_TOPIC_ARN}, {@code AWS_REGION}.
 */
public final class EventPublisherHandler extends StreamSubscriptionHandler {
    /** The subscriber name under which the publisher keeps its checkpoints. */
    public static final String SUBSCRIBER = "event-publisher";

    public EventPublisherHandler() {
        this(System::getenv);
        enableSnapStartPriming();
    }

    public EventPublisherHandler(Function<String, String> env) {
        this(dynamo(env), sns(env), required(env, "EVENTS_TABLE"), required(env, "CHECKPOINTS_TABLE"),
                required(env, "EVENTS_TOPIC_ARN"));
    }

    private EventPublisherHandler(DynamoDbClient dynamo, SnsClient sns, String eventsTable, String checkpointsTable,
                                  String topicArn) {
        this(DynamoDbEventStore.builder().client(dynamo).tableName(eventsTable).build(),
                new DynamoDbCheckpointStore(dynamo, checkpointsTable), sns, topicArn);
    }

    /** For tests and the local runtime. */
    public EventPublisherHandler(EventStore store, CheckpointStore checkpoints, SnsClient sns, String topicArn) {
        super(new EventDispatcher(List.of(subscriber(sns, topicArn)), checkpoints, store));
    }

    static Subscriber subscriber(SnsClient sns, String topicArn) {
        return Subscriber.builder(SUBSCRIBER).onRaw(Subscriber.ALL, (event, ctx) -> {
            if (PseudoEvents.isPseudo(event.type())) {
                return;
            }
            sns.publish(b -> b.topicArn(topicArn)
                    .message(envelope(event))
                    .messageGroupId(event.streamId().value())
                    .messageDeduplicationId(event.eventId().toString())
                    .messageAttributes(Map.of(
                            "type", MessageAttributeValue.builder().dataType("String").stringValue(event.type()).build(),
                            "aggregateType", MessageAttributeValue.builder().dataType("String")
                                    .stringValue(event.streamId().type()).build())));
        }).build();
    }

    /** The CloudEvents 1.0 structured-mode JSON of an event. */
    public static String envelope(RecordedEvent event) {
        ObjectMapper mapper = Json.mapper();
        ObjectNode root = mapper.createObjectNode();
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
        try {
            JsonNode data = mapper.readTree(event.data());
            root.set("data", data);
            return mapper.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(event.streamId() + " version " + event.version() + ": stored data is not JSON");
        }
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static DynamoDbClient dynamo(Function<String, String> env) {
        return DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(required(env, "AWS_REGION")))
                .credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
    }

    private static SnsClient sns(Function<String, String> env) {
        return SnsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(required(env, "AWS_REGION")))
                .credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
    }

    private static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is required");
        }
        return value;
    }
}
