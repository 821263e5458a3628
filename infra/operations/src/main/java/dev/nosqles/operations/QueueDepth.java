package dev.nosqles.operations;

/**
 * The depth of one dead-letter (or on-failure) queue.
 *
 * @param queue its logical id (StreamFailuresQueue, CustomerCommandsDlq, ...)
 * @param source where its messages came from and where a redrive sends them: the source queue's logical id, or
 *        {@code stream functions} for the on-failure queue of the stream functions
 * @param visible messages ready to be received (ApproximateNumberOfMessages)
 * @param inFlight messages received and not yet deleted (ApproximateNumberOfMessagesNotVisible)
 */
public record QueueDepth(String queue, String source, long visible, long inFlight) {
}
