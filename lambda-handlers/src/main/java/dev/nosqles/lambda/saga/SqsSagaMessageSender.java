package dev.nosqles.lambda.saga;

import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeNameForSends;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Saga messages on SQS (ADR 0005). Channel names map to queue URLs.
 * <ul>
 *   <li>Commands go to FIFO queues: message group = the target aggregate id (a participant's commands stay in
 *       order; different aggregates run in parallel), deduplication id = the command message id (on a re-send
 *       after a deadline: derived from it and the attempt, so that the queue does not drop it; the participant
 *       still deduplicates on the message id).</li>
 *   <li>Replies and deadlines go to the saga's reply queue, a <em>standard</em> queue: FIFO queues refuse a
 *       per-message {@code DelaySeconds}, and duplicates are dropped by the orchestrator anyway.</li>
 * </ul>
 */
public final class SqsSagaMessageSender implements SagaMessageSender {
    private final SqsClient sqs;
    private final Map<String, String> queueUrls;

    private SqsSagaMessageSender(Builder builder) {
        this.sqs = builder.sqs;
        this.queueUrls = Map.copyOf(builder.queueUrls);
    }

    /** A sender to be given its SQS client and the queue URL of every channel it sends to. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link SqsSagaMessageSender}; {@link #build()} validates. */
    public static final class Builder {
        private SqsClient sqs;
        private final Map<String, String> queueUrls = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /** The SQS client (required). */
        public Builder client(SqsClient sqs) {
            this.sqs = sqs;
            return this;
        }

        /** The queue of a channel: a command channel or a saga's reply channel (at least one is required). */
        public Builder queueUrl(String channel, String queueUrl) {
            if (channel == null || channel.isBlank()) {
                throw new IllegalArgumentException("channel must not be blank");
            }
            if (queueUrl == null || queueUrl.isBlank()) {
                throw new IllegalArgumentException("the queue URL of channel " + channel + " must not be blank");
            }
            queueUrls.put(channel, queueUrl);
            return this;
        }

        /** The queues of several channels, by channel name. */
        public Builder queueUrls(Map<String, String> urls) {
            urls.forEach(this::queueUrl);
            return this;
        }

        /** @throws IllegalStateException the client or every queue URL is missing */
        public SqsSagaMessageSender build() {
            if (sqs == null) {
                throw new IllegalStateException("client is required");
            }
            if (queueUrls.isEmpty()) {
                throw new IllegalStateException("a queue URL is required (queueUrl(channel, url))");
            }
            return new SqsSagaMessageSender(this);
        }
    }

    /** To the channel's queue; on a FIFO queue grouped by the target aggregate, deduplicated by the command. */
    @Override
    public void send(SagaMessage.CommandMessage command) {
        send(url(command.channel()), command.toJson(), command.target(), command.deduplicationId());
    }

    /** To the reply channel's queue; on a FIFO queue grouped by the saga, deduplicated by the message id. */
    @Override
    public void send(SagaMessage.ReplyMessage reply) {
        send(url(reply.replyChannel()), reply.toJson(), reply.sagaId(), reply.messageId());
    }

    /** One SendMessage, traced; the group and deduplication ids only on a FIFO queue (a standard one refuses them). */
    private void send(String url, String body, String groupId, String deduplicationId) {
        SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(url).messageBody(body);
        if (fifo(url)) {
            request.messageGroupId(groupId).messageDeduplicationId(deduplicationId);
        }
        traced(request);
        sqs.sendMessage(request.build());
    }

    @Override
    public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
        String url = url(deadline.replyChannel());
        if (fifo(url)) {
            throw new IllegalStateException("reply channel " + deadline.replyChannel()
                    + " is a FIFO queue, which cannot delay single messages; use a standard queue");
        }
        long seconds = Math.max(0, Math.min(delay.toSeconds(), MAX_DELAY.toSeconds()));
        SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(url)
                .messageBody(deadline.toJson()).delaySeconds((int) seconds);
        traced(request);
        sqs.sendMessage(request.build());
    }

    /** The trace context travels with the message: Lambda continues the X-Ray trace of the consumer from it. */
    private static void traced(SendMessageRequest.Builder request) {
        String header = dev.nosqles.lambda.Telemetry.traceHeader();
        if (header != null) {
            request.messageSystemAttributes(Map.of(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER,
                    MessageSystemAttributeValue.builder().dataType("String").stringValue(header).build()));
        }
    }

    private String url(String channel) {
        String url = queueUrls.get(channel);
        if (url == null) {
            throw new IllegalStateException("no queue configured for saga channel " + channel);
        }
        return url;
    }

    private static boolean fifo(String url) {
        return url.endsWith(".fifo");
    }
}
