package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.lambda.Telemetry;

/** What the saga queue adapters read from an SQS record besides its body. */
final class SqsRecords {
    private SqsRecords() {
    }

    /** The {@value Telemetry#REDRIVEN_AT} message attribute an operator's redrive set, or null. */
    static String redrivenAt(SQSEvent.SQSMessage record) {
        if (record.getMessageAttributes() == null) {
            return null;
        }
        SQSEvent.MessageAttribute attribute = record.getMessageAttributes().get(Telemetry.REDRIVEN_AT);
        return attribute == null ? null : attribute.getStringValue();
    }
}
