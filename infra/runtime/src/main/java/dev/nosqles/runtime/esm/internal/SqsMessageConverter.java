package dev.nosqles.runtime.esm.internal;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** SDK v2 SQS messages to the aws-lambda-java-events {@link SQSEvent}, as Lambda delivers them. */
public final class SqsMessageConverter {
    private SqsMessageConverter() {
    }

    public static SQSEvent event(List<Message> messages, String queueArn, String region) {
        SQSEvent event = new SQSEvent();
        event.setRecords(Conversions.each(messages, m -> message(m, queueArn, region)));
        return event;
    }

    public static SQSEvent.SQSMessage message(Message m, String queueArn, String region) {
        SQSEvent.SQSMessage out = new SQSEvent.SQSMessage();
        out.setMessageId(m.messageId());
        out.setReceiptHandle(m.receiptHandle());
        out.setBody(m.body());
        out.setMd5OfBody(m.md5OfBody());
        out.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
        out.setEventSource("aws:sqs");
        out.setEventSourceArn(queueArn);
        out.setAwsRegion(region);
        out.setAttributes(m.hasAttributes() ? new LinkedHashMap<>(m.attributesAsStrings()) : new LinkedHashMap<>());
        Map<String, SQSEvent.MessageAttribute> attributes = new LinkedHashMap<>();
        if (m.hasMessageAttributes()) {
            m.messageAttributes().forEach((name, value) -> attributes.put(name, attribute(value)));
        }
        out.setMessageAttributes(attributes);
        return out;
    }

    private static SQSEvent.MessageAttribute attribute(MessageAttributeValue v) {
        SQSEvent.MessageAttribute out = new SQSEvent.MessageAttribute();
        out.setDataType(v.dataType());
        out.setStringValue(v.stringValue());
        if (v.binaryValue() != null) {
            out.setBinaryValue(Conversions.buffer(v.binaryValue()));
        }
        out.setStringListValues(v.hasStringListValues() ? new ArrayList<>(v.stringListValues()) : new ArrayList<>());
        out.setBinaryListValues(v.hasBinaryListValues() ? Conversions.each(v.binaryListValues(), Conversions::buffer)
                : new ArrayList<>());
        return out;
    }
}
