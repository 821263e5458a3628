package dev.nosqles.runtime.template;

import java.util.Objects;

/**
 * An {@code AWS::SQS::Queue}.
 *
 * @param logicalId                 its logical id
 * @param queueName                 QueueName, or null to let the runtime name it
 * @param fifo                      FifoQueue
 * @param contentBasedDeduplication ContentBasedDeduplication
 * @param visibilityTimeoutSeconds  VisibilityTimeout (30 when absent)
 * @param redrive                   RedrivePolicy, or null
 */
public record QueueDefinition(String logicalId, String queueName, boolean fifo, boolean contentBasedDeduplication,
                              int visibilityTimeoutSeconds, Redrive redrive) {
    public QueueDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
    }

    /** RedrivePolicy: the dead-letter queue (a logical id in this template) and maxReceiveCount. */
    public record Redrive(String deadLetterQueue, int maxReceiveCount) {
        public Redrive {
            Objects.requireNonNull(deadLetterQueue, "deadLetterQueue");
        }
    }
}
