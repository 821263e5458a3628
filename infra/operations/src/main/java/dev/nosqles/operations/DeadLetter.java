package dev.nosqles.operations;

import java.time.Instant;

/**
 * One message of a dead-letter queue, decoded. Never the payload unless asked for ({@code body}).
 *
 * @param queue the queue's logical id
 * @param sqsMessageId the SQS message id (changes on every redrive)
 * @param kind {@code command}, {@code reply}, {@code deadline} (saga messages), {@code stream-batch} (an
 *        on-failure record of a stream function) or {@code unreadable}
 * @param sagaId the saga's id (saga messages)
 * @param messageId the framework's message id, by which receivers drop duplicates (saga messages)
 * @param type the command type, the reply's outcome or {@code deadline}; for a stream batch, the failure's condition
 * @param target the command's target aggregate id; the reply's saga type; for a stream batch, the function's name
 * @param sentAt when the message was first sent (the saga message's own {@code sentAt}, else SQS's SentTimestamp);
 *        for a stream batch, the failure record's timestamp
 * @param receiveCount how often SQS delivered it (ApproximateReceiveCount)
 * @param batch the failed batch's shard and sequence numbers (stream batches only)
 * @param body the message body, only when asked for
 */
public record DeadLetter(String queue, String sqsMessageId, String kind, String sagaId, String messageId,
                         String type, String target, Instant sentAt, int receiveCount, StreamBatch batch,
                         String body) {

    /**
     * The records a stream function gave up on, as its on-failure invocation record names them.
     *
     * @param function the function's name (last part of its ARN)
     * @param streamArn the table stream's ARN
     * @param shardId the shard
     * @param startSequenceNumber the first record's sequence number
     * @param endSequenceNumber the last record's sequence number
     * @param batchSize how many records
     */
    public record StreamBatch(String function, String streamArn, String shardId, String startSequenceNumber,
                              String endSequenceNumber, int batchSize) {
    }
}
