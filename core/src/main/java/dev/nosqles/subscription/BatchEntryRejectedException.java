package dev.nosqles.subscription;

import dev.nosqles.EventSourcingException;
import dev.nosqles.store.StreamId;

/**
 * A service refused one entry of a batch request that carried an event (an SNS {@code PublishBatch} entry, an SQS
 * {@code SendMessageBatch} entry) while it took the others. Exposes the event's stream and version and the
 * service's error code; the message never holds the entry's body.
 */
public final class BatchEntryRejectedException extends EventSourcingException {
    private final StreamId streamId;
    private final long version;
    private final String code;
    private final boolean senderFault;

    public BatchEntryRejectedException(StreamId streamId, long version, String code, boolean senderFault) {
        super(streamId + " version " + version + ": the batch entry was refused (" + code
                + (senderFault ? ", the sender's fault" : ", the service's fault") + ")");
        this.streamId = streamId;
        this.version = version;
        this.code = code;
        this.senderFault = senderFault;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long version() {
        return version;
    }

    /** The service's error code for the entry (SNS and SQS: e.g. {@code InternalError}, {@code InvalidParameter}). */
    public String code() {
        return code;
    }

    /** Whether the service blamed the request (sending it again will not help) rather than itself. */
    public boolean senderFault() {
        return senderFault;
    }
}
