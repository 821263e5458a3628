package dev.nosqles.runtime.template;

import java.util.Objects;

/**
 * An {@code AWS::SNS::Topic}.
 *
 * @param logicalId                 its logical id
 * @param topicName                 TopicName, or null to let the runtime name it
 * @param fifo                      FifoTopic
 * @param contentBasedDeduplication ContentBasedDeduplication
 */
public record TopicDefinition(String logicalId, String topicName, boolean fifo, boolean contentBasedDeduplication) {
    public TopicDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
    }
}
