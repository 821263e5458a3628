package dev.nosqles.runtime.ric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Events as AWS sends them to a function: the {@code sam local generate-event} samples in
 * {@code src/test/resources/aws-events} (see its README) with the request, the stream records or the messages of the
 * test filled in. Every other field of the sample stays, so the runtime's deserialiser sees what AWS would send.
 */
final class AwsEvents {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQUENCE = new AtomicLong(4_421_584_500_000_000L);

    private AwsEvents() {
    }

    /**
     * An HTTP API (payload format 2.0) request through the {@code AWS_IAM} authorizer.
     *
     * @param routeKey   the template's route, e.g. {@code GET /orders/{orderId}}
     * @param rawPath    the path requested
     * @param pathParams the route's path parameters
     * @param body       the JSON body or null; sent base64-encoded, as API Gateway may
     */
    static String httpApi(String routeKey, String rawPath, Map<String, String> pathParams, String body) {
        ObjectNode event = sample("http-api-proxy.json");
        String method = routeKey.substring(0, routeKey.indexOf(' '));
        event.put("routeKey", routeKey);
        event.put("rawPath", rawPath);
        event.put("rawQueryString", "");
        event.remove("cookies");
        event.remove("queryStringParameters");
        ObjectNode headers = event.putObject("headers");
        headers.put("content-type", "application/json");
        headers.put("x-correlation-id", "ric-" + UUID.randomUUID());
        if (pathParams.isEmpty()) {
            event.remove("pathParameters");
        } else {
            ObjectNode params = event.putObject("pathParameters");
            pathParams.forEach(params::put);
        }
        ObjectNode context = (ObjectNode) event.get("requestContext");
        context.put("routeKey", routeKey);
        context.put("requestId", UUID.randomUUID().toString());
        context.put("timeEpoch", Instant.now().toEpochMilli());
        ((ObjectNode) context.get("http")).put("method", method).put("path", rawPath);
        if (body == null) {
            event.remove("body");
            event.put("isBase64Encoded", false);
        } else {
            event.put("body", Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)));
            event.put("isBase64Encoded", true);
        }
        return event.toString();
    }

    /** The IAM user the HTTP API sample's authorizer names. */
    static String callerArn() {
        return sample("http-api-proxy.json").at("/requestContext/authorizer/iam/userArn").asText();
    }

    /**
     * A DynamoDB Streams batch: one {@code INSERT} record per item, in the given order.
     *
     * @param keyNames the table's key attributes
     */
    static String dynamodbInserts(List<Map<String, AttributeValue>> items, List<String> keyNames, String streamArn,
                                  String region) {
        ObjectNode event = sample("dynamodb-update.json");
        ObjectNode shape = (ObjectNode) event.get("Records").get(0);
        ArrayNode records = event.putArray("Records");
        for (Map<String, AttributeValue> item : items) {
            ObjectNode record = shape.deepCopy();
            record.put("eventID", UUID.randomUUID().toString().replace("-", ""));
            record.put("eventName", "INSERT");
            record.put("awsRegion", region);
            record.put("eventSourceARN", streamArn);
            ObjectNode dynamodb = (ObjectNode) record.get("dynamodb");
            ObjectNode keys = JSON.createObjectNode();
            keyNames.forEach(k -> keys.set(k, attribute(Objects.requireNonNull(item.get(k), k))));
            dynamodb.set("Keys", keys);
            ObjectNode image = JSON.createObjectNode();
            item.forEach((name, value) -> image.set(name, attribute(value)));
            dynamodb.set("NewImage", image);
            dynamodb.put("ApproximateCreationDateTime", Instant.now().getEpochSecond());
            dynamodb.put("SequenceNumber", String.valueOf(SEQUENCE.incrementAndGet()));
            dynamodb.put("SizeBytes", image.toString().length());
            records.add(record);
        }
        return event.toString();
    }

    /** An SQS batch of received messages (their system attributes and message attributes as SQS gave them). */
    static String sqs(List<Message> messages, String queueArn, String region) {
        ObjectNode event = sample("sqs-receive-message.json");
        ObjectNode shape = (ObjectNode) event.get("Records").get(0);
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            ObjectNode record = shape.deepCopy();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            record.put("md5OfBody", message.md5OfBody());
            record.put("eventSourceARN", queueArn);
            record.put("awsRegion", region);
            ObjectNode attributes = record.putObject("attributes");
            message.attributesAsStrings().forEach(attributes::put);
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> {
                ObjectNode a = messageAttributes.putObject(name);
                a.put("stringValue", value.stringValue());
                a.putArray("stringListValues");
                a.putArray("binaryListValues");
                a.put("dataType", value.dataType());
            });
            records.add(record);
        }
        return event.toString();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An attribute value in DynamoDB's JSON wire format, as stream records carry it. */
    static JsonNode attribute(AttributeValue value) {
        ObjectNode node = JSON.createObjectNode();
        switch (value.type()) {
            case S -> node.put("S", value.s());
            case N -> node.put("N", value.n());
            case B -> node.put("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case BOOL -> node.put("BOOL", value.bool());
            case NUL -> node.put("NULL", true);
            case SS -> value.ss().forEach(node.putArray("SS")::add);
            case NS -> value.ns().forEach(node.putArray("NS")::add);
            case BS -> {
                ArrayNode bs = node.putArray("BS");
                value.bs().forEach(b -> bs.add(Base64.getEncoder().encodeToString(b.asByteArray())));
            }
            case L -> {
                ArrayNode l = node.putArray("L");
                value.l().forEach(v -> l.add(attribute(v)));
            }
            case M -> {
                ObjectNode m = node.putObject("M");
                value.m().forEach((k, v) -> m.set(k, attribute(v)));
            }
            case UNKNOWN_TO_SDK_VERSION -> throw new IllegalArgumentException("unknown attribute type");
        }
        return node;
    }

    private static ObjectNode sample(String name) {
        try (InputStream in = AwsEvents.class.getResourceAsStream("/aws-events/" + name)) {
            return (ObjectNode) JSON.readTree(Objects.requireNonNull(in, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
