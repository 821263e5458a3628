package dev.nosqles.runtime.esm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The JSON a record has in Lambda's event, the shape event filter patterns are written against: a stream record
 * with its {@code dynamodb} Keys/NewImage/OldImage in DynamoDB JSON ({"S": "..."}), an SQS message with its body
 * parsed when it is JSON (a plain-text body stays a string), attributes and messageAttributes.
 */
public final class FilterRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FilterRecords() {
    }

    public static ObjectNode stream(Record r) {
        ObjectNode out = JSON.createObjectNode();
        out.put("eventID", r.eventID());
        out.put("eventName", r.eventNameAsString());
        out.put("eventSource", "aws:dynamodb");
        ObjectNode d = out.putObject("dynamodb");
        var sr = r.dynamodb();
        if (sr != null) {
            if (sr.hasKeys()) {
                d.set("Keys", item(sr.keys()));
            }
            if (sr.hasNewImage()) {
                d.set("NewImage", item(sr.newImage()));
            }
            if (sr.hasOldImage()) {
                d.set("OldImage", item(sr.oldImage()));
            }
            d.put("SequenceNumber", sr.sequenceNumber());
            if (sr.sizeBytes() != null) {
                d.put("SizeBytes", sr.sizeBytes());
            }
            if (sr.streamViewTypeAsString() != null) {
                d.put("StreamViewType", sr.streamViewTypeAsString());
            }
        }
        return out;
    }

    public static ObjectNode sqs(Message m) {
        ObjectNode out = JSON.createObjectNode();
        out.put("messageId", m.messageId());
        out.put("eventSource", "aws:sqs");
        String body = m.body();
        JsonNode parsed = null;
        if (body != null) {
            try {
                parsed = JSON.readTree(body);
            } catch (java.io.IOException | RuntimeException e) {
                parsed = null;
            }
        }
        if (parsed != null && (parsed.isObject() || parsed.isArray())) {
            out.set("body", parsed);
        } else {
            out.put("body", body);
        }
        ObjectNode attributes = out.putObject("attributes");
        m.attributesAsStrings().forEach(attributes::put);
        ObjectNode messageAttributes = out.putObject("messageAttributes");
        m.messageAttributes().forEach((name, v) -> {
            ObjectNode a = messageAttributes.putObject(name);
            a.put("dataType", v.dataType());
            if (v.stringValue() != null) {
                a.put("stringValue", v.stringValue());
            }
        });
        return out;
    }

    private static ObjectNode item(Map<String, AttributeValue> item) {
        ObjectNode out = JSON.createObjectNode();
        item.forEach((name, v) -> out.set(name, value(v)));
        return out;
    }

    private static ObjectNode value(AttributeValue v) {
        ObjectNode out = JSON.createObjectNode();
        if (v.s() != null) {
            out.put("S", v.s());
        } else if (v.n() != null) {
            out.put("N", v.n());
        } else if (v.b() != null) {
            out.put("B", base64(v.b()));
        } else if (v.bool() != null) {
            out.put("BOOL", v.bool());
        } else if (Boolean.TRUE.equals(v.nul())) {
            out.put("NULL", true);
        } else if (v.hasSs()) {
            ArrayNode a = out.putArray("SS");
            v.ss().forEach(a::add);
        } else if (v.hasNs()) {
            ArrayNode a = out.putArray("NS");
            v.ns().forEach(a::add);
        } else if (v.hasBs()) {
            ArrayNode a = out.putArray("BS");
            v.bs().forEach(b -> a.add(base64(b)));
        } else if (v.hasM()) {
            out.set("M", item(v.m()));
        } else if (v.hasL()) {
            ArrayNode a = out.putArray("L");
            v.l().forEach(e -> a.add(value(e)));
        }
        return out;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }
}
