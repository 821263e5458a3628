package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The launcher has moto count a queue's messages in one pass (see serve_moto.py, {@code queue_counts_in_one_pass}):
 * the counts, the messages a receive may return and the retention check must still be SQS's. Available, in flight
 * and delayed messages are counted apart, a received message is not received again while in flight, and a FIFO
 * queue still drops a duplicate by its deduplication id and holds a group back while one of its messages is in
 * flight.
 */
@Tag("moto")
class MotoQueueCountsTest {

    @Test
    void available_in_flight_and_delayed_messages_are_counted_apart_and_received_once() {
        try (LocalAws aws = LocalAws.startMoto(); SqsClient sqs = aws.configure(SqsClient.builder()).build()) {
            String url = sqs.createQueue(b -> b.queueName("counts")).queueUrl();
            for (int i = 0; i < 3; i++) {
                String body = "m" + i;
                sqs.sendMessage(b -> b.queueUrl(url).messageBody(body));
            }
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("later").delaySeconds(600));
            List<Message> received = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1)
                    .visibilityTimeout(600)).messages();
            assertThat(received).hasSize(1);

            assertThat(counts(sqs, url)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "2",
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "1",
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "1"));
            List<Message> rest = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages();
            List<String> others = new java.util.ArrayList<>(List.of("m0", "m1", "m2"));
            others.remove(received.get(0).body());
            assertThat(rest).extracting(Message::body).containsExactlyInAnyOrderElementsOf(others);
        }
    }

    @Test
    void a_fifo_queue_drops_a_duplicate_and_holds_a_group_back_while_one_of_its_messages_is_in_flight() {
        try (LocalAws aws = LocalAws.startMoto(); SqsClient sqs = aws.configure(SqsClient.builder()).build()) {
            String url = sqs.createQueue(b -> b.queueName("commands.fifo")
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("a1").messageGroupId("a").messageDeduplicationId("1"));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("a1 again").messageGroupId("a")
                    .messageDeduplicationId("1"));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("a2").messageGroupId("a").messageDeduplicationId("2"));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("b1").messageGroupId("b").messageDeduplicationId("3"));

            assertThat(counts(sqs, url)).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "3");
            List<Message> first = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1)).messages();
            assertThat(first).extracting(Message::body).containsExactly("a1");
            assertThat(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages())
                    .extracting(Message::body).containsExactly("b1");
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(first.get(0).receiptHandle()));
            assertThat(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages())
                    .extracting(Message::body).containsExactly("a2");
        }
    }

    private static Map<QueueAttributeName, String> counts(SqsClient sqs, String url) {
        Map<QueueAttributeName, String> all = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.ALL)).attributes();
        return Map.of(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                all.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                all.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
                all.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }
}
