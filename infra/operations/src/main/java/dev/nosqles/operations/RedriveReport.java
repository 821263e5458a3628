package dev.nosqles.operations;

import java.util.List;

/**
 * What a redrive did, message by message.
 *
 * @param queue the dead-letter queue's logical id
 * @param source where the messages went (a queue's logical id, or the function a stream batch was given to)
 * @param outcomes one per message received from the dead-letter queue
 * @param remaining the messages left in the dead-letter queue when the run ended (approximate, as SQS counts
 *                  them: visible and in flight; the kept ones included); -1 if it could not be read
 */
public record RedriveReport(String queue, String source, List<Outcome> outcomes, long remaining) {
    public RedriveReport {
        outcomes = List.copyOf(outcomes);
    }

    /** Messages moved back and not applied before. */
    public long redriven() {
        return outcomes.stream().filter(o -> o.result() == Result.REDRIVEN).count();
    }

    /** Messages moved back although already applied: the receiver drops them. */
    public long alreadyApplied() {
        return outcomes.stream().filter(o -> o.result() == Result.ALREADY_APPLIED).count();
    }

    /** Messages left in the dead-letter queue. */
    public long kept() {
        return outcomes.stream().filter(o -> o.result() == Result.KEPT).count();
    }

    /** What happened to one message. */
    public enum Result {
        /** Sent back to its source (or its batch re-invoked) and deleted from the dead-letter queue. */
        REDRIVEN,
        /** Sent back and deleted, but its message id was already applied: the receiver will drop it. */
        ALREADY_APPLIED,
        /** Left in the dead-letter queue (see the detail: records expired, send failed, unreadable...). */
        KEPT
    }

    /**
     * @param sqsMessageId the message's SQS id in the dead-letter queue
     * @param messageId the framework's message id (null for stream batches)
     * @param kind as {@link DeadLetter#kind()}
     * @param result what was done
     * @param detail one line for people (never a payload)
     */
    public record Outcome(String sqsMessageId, String messageId, String kind, Result result, String detail) {
    }
}
