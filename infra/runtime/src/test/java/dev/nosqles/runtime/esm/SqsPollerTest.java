package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.lambda.SqsBatchHandler;
import dev.nosqles.lambda.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class SqsPollerTest {
    private static final EsmFixture fx = new EsmFixture();
    private static String dlq;
    private static String dlqArn;

    @BeforeAll
    static void queues() {
        dlq = fx.newQueue("esm-dlq", Map.of());
        dlqArn = fx.clients.sqs().getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private static void send(String queueUrl, String body) {
        fx.clients.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).messageAttributes(Map.of(
                "kind", MessageAttributeValue.builder().dataType("String").stringValue("test").build())));
    }

    @Test
    void successful_messages_are_deleted_and_the_event_is_shaped_as_lambda_delivers_it() {
        String queue = fx.newQueue("esm-ok", Map.of());
        String queueArn = fx.clients.sqs().getQueueAttributes(b -> b.queueUrl(queue)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        List<SQSEvent> events = new ArrayList<>();
        SqsPoller poller = new SqsPoller(QueueMapping.defaults("sqs-ok", "notifier", queue),
                (RequestHandler<SQSEvent, Void>) (event, context) -> {
                    events.add(event);
                    return null;
                }, fx.clients);
        for (int i = 0; i < 5; i++) {
            send(queue, "message-" + i);
        }

        assertThat(poller.drainUntilIdle()).isEqualTo(1);

        assertThat(events.getFirst().getRecords()).extracting(SQSEvent.SQSMessage::getBody)
                .containsExactlyInAnyOrder("message-0", "message-1", "message-2", "message-3", "message-4");
        SQSEvent.SQSMessage m = events.getFirst().getRecords().getFirst();
        assertThat(m.getEventSource()).isEqualTo("aws:sqs");
        assertThat(m.getEventSourceArn()).isEqualTo(queueArn);
        assertThat(m.getAwsRegion()).isEqualTo(fx.clients.region());
        assertThat(m.getMessageId()).isNotBlank();
        assertThat(m.getReceiptHandle()).isNotBlank();
        assertThat(m.getMd5OfBody()).hasSize(32);
        assertThat(m.getAttributes()).containsEntry("ApproximateReceiveCount", "1").containsKey("SentTimestamp");
        assertThat(m.getMessageAttributes().get("kind").getStringValue()).isEqualTo("test");
        assertThat(m.getMessageAttributes().get("kind").getDataType()).isEqualTo("String");
        assertThat(fx.messagesIn(queue)).isZero();
    }

    @Test
    void a_message_matching_no_filter_is_deleted_without_reaching_the_function() {
        String queue = fx.newQueue("esm-filter", Map.of());
        List<String> bodies = new ArrayList<>();
        SqsPoller poller = new SqsPoller(QueueMapping.defaults("sqs-filter", "notifier", queue)
                .withFilter(EventFilter.of(List.of("{\"body\":{\"kind\":[\"wanted\"]}}"))),
                (RequestHandler<SQSEvent, Void>) (event, context) -> {
                    event.getRecords().forEach(m -> bodies.add(m.getBody()));
                    return null;
                }, fx.clients);
        send(queue, "{\"kind\":\"unwanted\"}");
        send(queue, "not json");

        poller.drainUntilIdle();
        assertThat(bodies).isEmpty();
        assertThat(fx.messagesIn(queue)).isZero();

        send(queue, "{\"kind\":\"wanted\"}");
        poller.drainUntilIdle();
        assertThat(bodies).containsExactly("{\"kind\":\"wanted\"}");
    }

    @Test
    void a_fifo_queues_messages_reach_the_function_with_their_group_and_a_failure_holds_back_only_its_group() {
        String queue = fx.clients.sqs().createQueue(b -> b.queueName(EsmFixture.unique("esm-fifo") + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true",
                        QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "true"))).queueUrl();
        List<String> groups = new ArrayList<>();
        List<String> handled = new ArrayList<>();
        List<List<String>> failedBodies = new ArrayList<>();
        SqsBatchHandler<String> batch = new SqsBatchHandler<>("fifo test message", body -> body, (body, log) -> {
            if (body.startsWith("fail")) {
                throw new IllegalStateException("refused by the handler");
            }
            handled.add(body);
        }, Telemetry.fromEnvironment(name -> null));
        SqsPoller poller = new SqsPoller(QueueMapping.defaults("sqs-fifo", "commands", queue)
                .withReportBatchItemFailures(true),
                (RequestHandler<SQSEvent, SQSBatchResponse>) (event, context) -> {
                    event.getRecords().forEach(m -> groups.add(SqsBatchHandler.messageGroupId(m)));
                    SQSBatchResponse response = batch.handle(event);
                    List<String> failedIds = response.getBatchItemFailures().stream()
                            .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
                    failedBodies.add(event.getRecords().stream().filter(m -> failedIds.contains(m.getMessageId()))
                            .map(SQSEvent.SQSMessage::getBody).toList());
                    return response;
                }, fx.clients);
        for (String[] m : new String[][] {{"A", "a-first"}, {"B", "b-first"}, {"A", "fail-a"}, {"B", "b-second"},
                {"A", "a-third"}}) {
            fx.clients.sqs().sendMessage(b -> b.queueUrl(queue).messageGroupId(m[0]).messageBody(m[1]));
        }

        poller.drainUntilIdle();

        assertThat(groups).hasSize(5).containsOnly("A", "B"); // every record carries its MessageGroupId
        assertThat(handled).containsExactly("a-first", "b-first", "b-second");
        assertThat(failedBodies.getFirst()).containsExactly("fail-a", "a-third");
    }

    @Test
    void messages_are_handed_over_in_batches_no_larger_than_the_batch_size() {
        String queue = fx.newQueue("esm-batch", Map.of());
        List<Integer> sizes = new ArrayList<>();
        SqsPoller poller = new SqsPoller(QueueMapping.defaults("sqs-batch", "notifier", queue).withBatchSize(3),
                (RequestHandler<SQSEvent, Void>) (event, context) -> {
                    sizes.add(event.getRecords().size());
                    return null;
                }, fx.clients);
        for (int i = 0; i < 7; i++) {
            send(queue, "m" + i);
        }

        poller.drainUntilIdle();

        assertThat(sizes).allSatisfy(s -> assertThat(s).isBetween(1, 3));
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(7);
        assertThat(fx.messagesIn(queue)).isZero();
    }

    @Test
    void a_reported_failure_is_redelivered_and_with_a_redrive_policy_ends_in_the_dead_letter_queue() {
        String queue = fx.newQueue("esm-redrive", Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, "0",
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"3\"}"));
        List<String> poisonReceiveCounts = new ArrayList<>();
        List<String> handled = new ArrayList<>();
        SqsPoller poller = new SqsPoller(QueueMapping.defaults("sqs-redrive", "notifier", queue)
                .withReportBatchItemFailures(true),
                (RequestHandler<SQSEvent, SQSBatchResponse>) (event, context) -> {
                    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
                    for (SQSEvent.SQSMessage m : event.getRecords()) {
                        if (m.getBody().equals("poison")) {
                            poisonReceiveCounts.add(m.getAttributes().get("ApproximateReceiveCount"));
                            failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                        } else {
                            handled.add(m.getBody());
                        }
                    }
                    return new SQSBatchResponse(failures);
                }, fx.clients);
        send(queue, "a");
        send(queue, "poison");
        send(queue, "b");

        poller.drainUntilIdle();

        assertThat(handled).containsExactlyInAnyOrder("a", "b");
        assertThat(poisonReceiveCounts).containsExactly("1", "2", "3");
        assertThat(fx.messagesIn(queue)).isZero();
        List<Message> dead = fx.takeAll(dlq);
        assertThat(dead).extracting(Message::body).containsExactly("poison");
    }

    @Test
    void a_handler_that_throws_deletes_nothing_and_the_whole_batch_comes_back() {
        String queue = fx.newQueue("esm-throw", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "0"));
        List<List<String>> receiveCounts = new ArrayList<>();
        SqsPoller poller = new SqsPoller(QueueMapping.defaults("sqs-throw", "notifier", queue),
                (RequestHandler<SQSEvent, Void>) (event, context) -> {
                    receiveCounts.add(event.getRecords().stream()
                            .map(m -> m.getAttributes().get("ApproximateReceiveCount")).toList());
                    if (receiveCounts.size() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    return null;
                }, fx.clients);
        send(queue, "x");
        send(queue, "y");

        assertThat(poller.drainUntilIdle()).isEqualTo(2);

        assertThat(receiveCounts).containsExactly(List.of("1", "1"), List.of("2", "2"));
        assertThat(fx.messagesIn(queue)).isZero();
    }
}
