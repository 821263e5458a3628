package dev.nosqles.lambda.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A saga channel's backlog on SQS (ADR 0016): the messages waiting and in flight on its queue, through the AWS SDK
 * on the local AWS; unknown (never an error) for a channel without a queue or a queue that cannot be asked.
 */
class SqsChannelBacklogTest {
    private final SqsClient sqs = LocalAws.shared().configure(SqsClient.builder()).build();

    @Test
    void counts_the_messages_waiting_and_in_flight_on_the_channels_fifo_queue() {
        String url = sqs.createQueue(b -> b.queueName("backlog-" + UUID.randomUUID() + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        SqsChannelBacklog backlog = new SqsChannelBacklog(sqs, Map.of("customer-commands", url));
        assertThat(backlog.waiting("customer-commands")).isEqualTo(OptionalLong.of(0));

        for (String group : java.util.List.of("c1", "c2", "c3")) {
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("{}").messageGroupId(group)
                    .messageDeduplicationId(UUID.randomUUID().toString()));
        }
        assertThat(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1)).messages()).hasSize(1);

        assertThat(backlog.waiting("customer-commands")).isEqualTo(OptionalLong.of(3));
    }

    @Test
    void a_channel_without_a_queue_or_a_queue_that_cannot_be_asked_is_unknown() {
        String url = sqs.createQueue(b -> b.queueName("backlog-gone-" + UUID.randomUUID())).queueUrl();
        sqs.deleteQueue(b -> b.queueUrl(url));
        SqsChannelBacklog backlog = new SqsChannelBacklog(sqs, Map.of("order-commands", url));

        assertThat(backlog.waiting("customer-commands")).isEmpty();
        assertThat(backlog.waiting("order-commands")).isEmpty();
    }
}
