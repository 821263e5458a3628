package dev.nosqles.subscription;

import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** What a handler may do besides its own work. */
public interface HandlerContext {
    /** The subscriber's name. */
    String subscriber();

    /**
     * Makes a DynamoDB write part of the same transaction that advances the subscriber's checkpoint for this
     * event: the write happens exactly once, together with the checkpoint, or not at all (and the event is
     * retried). At most 99 writes per event.
     */
    void writeWithCheckpoint(TransactWriteItem write);
}
