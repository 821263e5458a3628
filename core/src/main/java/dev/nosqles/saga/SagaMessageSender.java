package dev.nosqles.saga;

import java.time.Duration;

/**
 * Puts saga messages on the wire; the wiring maps channel names to queues (in AWS: SQS, see ADR 0005). Every
 * method may be called more than once for one message: the receivers deduplicate by message id.
 */
public interface SagaMessageSender {
    /** The longest delay a deadline may be scheduled with at once (SQS's DelaySeconds maximum). */
    Duration MAX_DELAY = Duration.ofMinutes(15);

    /** Sends a command to its channel; commands of one target aggregate must stay in order (FIFO). */
    void send(SagaMessage.CommandMessage command);

    /** Sends a reply to its reply channel. */
    void send(SagaMessage.ReplyMessage reply);

    /** Delivers the deadline message to its reply channel after {@code delay} (at most {@link #MAX_DELAY}). */
    void schedule(SagaMessage.DeadlineMessage deadline, Duration delay);

}
