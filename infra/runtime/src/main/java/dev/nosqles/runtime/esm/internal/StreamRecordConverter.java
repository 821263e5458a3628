package dev.nosqles.runtime.esm.internal;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType;
import dev.nosqles.capacity.ItemSize;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * SDK v2 stream records to the aws-lambda-java-events model, as Lambda delivers them: eventSource
 * {@code aws:dynamodb}, eventVersion {@code 1.1}, ApproximateCreationDateTime in whole seconds, N as a string,
 * B as a (heap) ByteBuffer, nested M and L converted recursively. SizeBytes as the stream gave it; a value below
 * AWS's minimum of 1 (MiniStack gives 0 on every record) or none at all is replaced by the record's size by
 * DynamoDB's item size rules (keys and images), so a handler never sees a size Lambda would not deliver.
 */
public final class StreamRecordConverter {
    private StreamRecordConverter() {
    }

    public static DynamodbEvent event(List<Record> records, String streamArn, String defaultRegion) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(Conversions.each(records, r -> record(r, streamArn, defaultRegion)));
        return event;
    }

    public static DynamodbEvent.DynamodbStreamRecord record(Record r, String streamArn, String defaultRegion) {
        DynamodbEvent.DynamodbStreamRecord out = new DynamodbEvent.DynamodbStreamRecord();
        out.setEventID(r.eventID());
        out.setEventName(r.eventNameAsString());
        out.setEventVersion(r.eventVersion() != null ? r.eventVersion() : "1.1");
        out.setEventSource("aws:dynamodb");
        out.setAwsRegion(r.awsRegion() != null ? r.awsRegion() : defaultRegion);
        out.setEventSourceARN(streamArn);
        if (r.userIdentity() != null) {
            Identity identity = new Identity();
            identity.setPrincipalId(r.userIdentity().principalId());
            identity.setType(r.userIdentity().type());
            out.setUserIdentity(identity);
        }
        software.amazon.awssdk.services.dynamodb.model.StreamRecord sr = r.dynamodb();
        if (sr != null) {
            StreamRecord s = new StreamRecord();
            if (sr.approximateCreationDateTime() != null) {
                // Lambda's JSON carries whole epoch seconds.
                s.setApproximateCreationDateTime(new Date(sr.approximateCreationDateTime().getEpochSecond() * 1000L));
            }
            if (sr.hasKeys()) {
                s.setKeys(map(sr.keys()));
            }
            if (sr.hasNewImage()) {
                s.setNewImage(map(sr.newImage()));
            }
            if (sr.hasOldImage()) {
                s.setOldImage(map(sr.oldImage()));
            }
            s.setSequenceNumber(sr.sequenceNumber());
            s.setSizeBytes(sizeBytes(sr));
            if (sr.streamViewTypeAsString() != null) {
                s.setStreamViewType(StreamViewType.fromValue(sr.streamViewTypeAsString()));
            }
            out.setDynamodb(s);
        }
        return out;
    }

    /**
     * The record's SizeBytes: the stream's own value when it is one DynamoDB Streams can give (at least 1), else
     * the size of its keys and images by DynamoDB's item size rules (at least 1). AWS does not publish how it
     * counts; the stand-in is an estimate of the same magnitude, used only where the backend broke the minimum.
     */
    static long sizeBytes(software.amazon.awssdk.services.dynamodb.model.StreamRecord sr) {
        if (sr.sizeBytes() != null && sr.sizeBytes() >= 1) {
            return sr.sizeBytes();
        }
        long size = (sr.hasKeys() ? ItemSize.of(sr.keys()) : 0)
                + (sr.hasNewImage() ? ItemSize.of(sr.newImage()) : 0)
                + (sr.hasOldImage() ? ItemSize.of(sr.oldImage()) : 0);
        return Math.max(1, size);
    }

    public static Map<String, AttributeValue> map(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> in) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    public static AttributeValue value(software.amazon.awssdk.services.dynamodb.model.AttributeValue v) {
        AttributeValue out = new AttributeValue();
        if (v.s() != null) {
            out.setS(v.s());
        } else if (v.n() != null) {
            out.setN(v.n());
        } else if (v.b() != null) {
            out.setB(Conversions.buffer(v.b()));
        } else if (v.hasSs()) {
            out.setSS(new ArrayList<>(v.ss()));
        } else if (v.hasNs()) {
            out.setNS(new ArrayList<>(v.ns()));
        } else if (v.hasBs()) {
            out.setBS(Conversions.each(v.bs(), Conversions::buffer));
        } else if (v.hasM()) {
            out.setM(map(v.m()));
        } else if (v.hasL()) {
            out.setL(Conversions.each(v.l(), StreamRecordConverter::value));
        } else if (v.nul() != null) {
            out.setNULL(v.nul());
        } else if (v.bool() != null) {
            out.setBOOL(v.bool());
        }
        return out;
    }
}
