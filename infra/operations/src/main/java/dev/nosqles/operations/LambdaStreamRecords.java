package dev.nosqles.operations;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * A DynamoDB stream record as Lambda hands it to a function: the JSON of one entry of a DynamoDB event's
 * {@code Records}, images in DynamoDB JSON ({@code {"S": "..."}}), times in epoch seconds. What a redrive sends a
 * stream function ({@link DeadLetterQueues}) and what an event-source mapping's filter patterns are matched against
 * (the local runtime).
 */
public final class LambdaStreamRecords {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private LambdaStreamRecords() {
    }

    /**
     * @param streamArn the stream's ARN ({@code eventSourceARN}); null leaves it out
     */
    public static ObjectNode record(Record r, String streamArn) {
        ObjectNode o = NODES.objectNode();
        o.put("eventID", r.eventID());
        o.put("eventName", r.eventNameAsString());
        o.put("eventVersion", r.eventVersion() != null ? r.eventVersion() : "1.1");
        o.put("eventSource", "aws:dynamodb");
        if (r.awsRegion() != null) {
            o.put("awsRegion", r.awsRegion());
        }
        if (streamArn != null) {
            o.put("eventSourceARN", streamArn);
        }
        ObjectNode d = o.putObject("dynamodb");
        var sr = r.dynamodb();
        if (sr == null) {
            return o;
        }
        if (sr.approximateCreationDateTime() != null) {
            d.put("ApproximateCreationDateTime", sr.approximateCreationDateTime().getEpochSecond());
        }
        if (sr.hasKeys()) {
            d.set("Keys", image(sr.keys()));
        }
        if (sr.hasNewImage()) {
            d.set("NewImage", image(sr.newImage()));
        }
        if (sr.hasOldImage()) {
            d.set("OldImage", image(sr.oldImage()));
        }
        d.put("SequenceNumber", sr.sequenceNumber());
        if (sr.sizeBytes() != null) {
            d.put("SizeBytes", sr.sizeBytes());
        }
        if (sr.streamViewTypeAsString() != null) {
            d.put("StreamViewType", sr.streamViewTypeAsString());
        }
        return o;
    }

    /** An item in DynamoDB JSON. */
    public static ObjectNode image(Map<String, AttributeValue> item) {
        ObjectNode o = NODES.objectNode();
        item.forEach((k, v) -> o.set(k, value(v)));
        return o;
    }

    private static ObjectNode value(AttributeValue v) {
        ObjectNode o = NODES.objectNode();
        if (v.s() != null) {
            o.put("S", v.s());
        } else if (v.n() != null) {
            o.put("N", v.n());
        } else if (v.b() != null) {
            o.put("B", base64(v.b()));
        } else if (v.bool() != null) {
            o.put("BOOL", v.bool());
        } else if (v.nul() != null) {
            o.put("NULL", v.nul());
        } else if (v.hasSs()) {
            ArrayNode a = o.putArray("SS");
            v.ss().forEach(a::add);
        } else if (v.hasNs()) {
            ArrayNode a = o.putArray("NS");
            v.ns().forEach(a::add);
        } else if (v.hasBs()) {
            ArrayNode a = o.putArray("BS");
            v.bs().forEach(b -> a.add(base64(b)));
        } else if (v.hasM()) {
            o.set("M", image(v.m()));
        } else if (v.hasL()) {
            ArrayNode a = o.putArray("L");
            v.l().forEach(e -> a.add(value(e)));
        }
        return o;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }
}
