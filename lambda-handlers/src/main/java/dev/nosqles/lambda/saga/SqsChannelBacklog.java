package dev.nosqles.lambda.saga;

import dev.nosqles.saga.ChannelBacklog;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The backlog of saga channels on SQS (ADR 0016): one {@code GetQueueAttributes} of the channel's queue, its
 * approximate numbers of messages waiting and in flight. Asked only when a deadline is about to give up on a
 * participant that has no record of the command. A channel without a queue here, or a request that fails (the
 * function's role lacks {@code sqs:GetQueueAttributes}, SQS is unavailable), is unknown: the deadline acts as it
 * would without this.
 */
public final class SqsChannelBacklog implements ChannelBacklog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqsChannelBacklog.class);

    private final SqsClient sqs;
    private final Map<String, String> queueUrls;

    /**
     * @param sqs the client
     * @param queueUrls the queue URL of each channel it can tell about
     */
    public SqsChannelBacklog(SqsClient sqs, Map<String, String> queueUrls) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrls = Map.copyOf(queueUrls);
    }

    @Override
    public OptionalLong waiting(String channel) {
        String url = queueUrls.get(channel);
        if (url == null) {
            return OptionalLong.empty();
        }
        try {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            return OptionalLong.of(count(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    + count(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)));
        } catch (SdkException | NumberFormatException e) {
            LOG.warn("the backlog of saga channel {} is unknown: {}", channel, e.getClass().getSimpleName());
            return OptionalLong.empty();
        }
    }

    private static long count(String value) {
        return value == null ? 0 : Long.parseLong(value.strip());
    }
}
