package dev.nosqles.runtime.esm.internal;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Lambda sends a stream function (a DynamoDB stream event: Records with DynamoDB-JSON images,
 * ApproximateCreationDateTime in epoch seconds) read into the aws-lambda-java-events model, as the Lambda runtime
 * would. The inverse of what {@link StreamRecordConverter} produces, for the local Lambda Invoke API.
 */
public final class StreamEventJson {
    private StreamEventJson() {
    }

    /** @throws IllegalArgumentException the JSON is not a stream event */
    public static DynamodbEvent read(JsonNode root) {
        JsonNode records = root == null ? null : root.get("Records");
        if (records == null || !records.isArray()) {
            throw new IllegalArgumentException("not a DynamoDB stream event: no Records array");
        }
        List<DynamodbEvent.DynamodbStreamRecord> out = new ArrayList<>();
        for (JsonNode r : records) {
            DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
            record.setEventID(text(r, "eventID"));
            record.setEventName(text(r, "eventName"));
            record.setEventVersion(text(r, "eventVersion"));
            record.setEventSource(text(r, "eventSource"));
            record.setAwsRegion(text(r, "awsRegion"));
            record.setEventSourceARN(text(r, "eventSourceARN"));
            JsonNode d = r.get("dynamodb");
            if (d == null || !d.isObject()) {
                throw new IllegalArgumentException("a record has no dynamodb object");
            }
            StreamRecord s = new StreamRecord();
            if (d.hasNonNull("ApproximateCreationDateTime")) {
                s.setApproximateCreationDateTime(new Date((long) (d.get("ApproximateCreationDateTime").asDouble()
                        * 1000)));
            }
            if (d.has("Keys")) {
                s.setKeys(map(d.get("Keys")));
            }
            if (d.has("NewImage")) {
                s.setNewImage(map(d.get("NewImage")));
            }
            if (d.has("OldImage")) {
                s.setOldImage(map(d.get("OldImage")));
            }
            s.setSequenceNumber(text(d, "SequenceNumber"));
            if (d.hasNonNull("SizeBytes")) {
                s.setSizeBytes(d.get("SizeBytes").asLong());
            }
            if (d.hasNonNull("StreamViewType")) {
                s.setStreamViewType(StreamViewType.fromValue(d.get("StreamViewType").asText()));
            }
            record.setDynamodb(s);
            out.add(record);
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(out);
        return event;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, AttributeValue> map(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("an image is not a JSON object");
        }
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            out.put(e.getKey(), value(e.getValue()));
        }
        return out;
    }

    private static AttributeValue value(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw new IllegalArgumentException("an attribute value is not a one-key DynamoDB JSON object");
        }
        Map.Entry<String, JsonNode> e = node.fields().next();
        JsonNode v = e.getValue();
        AttributeValue out = new AttributeValue();
        switch (e.getKey()) {
            case "S" -> out.setS(v.asText());
            case "N" -> out.setN(v.asText());
            case "B" -> out.setB(ByteBuffer.wrap(Base64.getDecoder().decode(v.asText())));
            case "SS" -> out.setSS(strings(v));
            case "NS" -> out.setNS(strings(v));
            case "BS" -> {
                List<ByteBuffer> bs = new ArrayList<>();
                v.forEach(b -> bs.add(ByteBuffer.wrap(Base64.getDecoder().decode(b.asText()))));
                out.setBS(bs);
            }
            case "M" -> out.setM(map(v));
            case "L" -> {
                List<AttributeValue> l = new ArrayList<>();
                v.forEach(x -> l.add(value(x)));
                out.setL(l);
            }
            case "NULL" -> out.setNULL(v.asBoolean());
            case "BOOL" -> out.setBOOL(v.asBoolean());
            default -> throw new IllegalArgumentException("unknown attribute value type " + e.getKey());
        }
        return out;
    }

    private static List<String> strings(JsonNode v) {
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(x.asText()));
        return out;
    }
}
