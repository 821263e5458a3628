package dev.nosqles.runtime.template;

import java.util.Objects;

/**
 * An {@code AWS::SNS::Subscription} of a queue to a topic, both in this template.
 *
 * @param logicalId          its logical id
 * @param topic              TopicArn: the topic's logical id ({@code !Ref Topic})
 * @param protocol           Protocol (the local runtime delivers {@code sqs})
 * @param queue              Endpoint: the queue's logical id ({@code !GetAtt Queue.Arn})
 * @param rawMessageDelivery RawMessageDelivery
 * @param filterPolicyJson   FilterPolicy as JSON, or null
 */
public record SubscriptionDefinition(String logicalId, String topic, String protocol, String queue,
                                     boolean rawMessageDelivery, String filterPolicyJson) {
    public SubscriptionDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(queue, "queue");
    }
}
