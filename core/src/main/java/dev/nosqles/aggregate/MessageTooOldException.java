package dev.nosqles.aggregate;

import dev.nosqles.EventSourcingException;
import dev.nosqles.store.StreamId;
import java.time.Duration;
import java.time.Instant;

/**
 * A message with a message id was sent before the repository's deduplication horizon and is not among the ids
 * the aggregate remembers: whether it was processed can no longer be told at a bounded cost, so it is refused.
 * Nothing was processed or written. Such a message was kept longer than any queue keeps one (SQS: 14 days):
 * look at where it came from; replaying it deliberately needs a new message id.
 */
public final class MessageTooOldException extends EventSourcingException {
    private final StreamId streamId;
    private final String messageId;
    private final Instant sentAt;
    private final Duration horizon;

    public MessageTooOldException(StreamId streamId, String messageId, Instant sentAt, Duration horizon) {
        super(streamId + ": message " + messageId + " was sent at " + sentAt + ", before the deduplication horizon of "
                + horizon);
        this.streamId = streamId;
        this.messageId = messageId;
        this.sentAt = sentAt;
        this.horizon = horizon;
    }

    public StreamId streamId() {
        return streamId;
    }

    public String messageId() {
        return messageId;
    }

    public Instant sentAt() {
        return sentAt;
    }

    public Duration horizon() {
        return horizon;
    }
}
