package dev.nosqles.runtime.esm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.operations.LambdaStreamRecords;
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

    /** A stream record as Lambda hands it over ({@link LambdaStreamRecords}). */
    public static ObjectNode stream(Record r) {
        return LambdaStreamRecords.record(r, null);
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
}
