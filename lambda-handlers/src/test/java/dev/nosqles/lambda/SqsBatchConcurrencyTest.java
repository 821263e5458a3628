package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * {@link SqsBatchHandler#withConcurrency}: a batch's message groups at once, each group still in order with "skip
 * group on error"; a FIFO batch whose groups are unknown still one message after another.
 */
class SqsBatchConcurrencyTest {
    private static final String FIFO = "arn:aws:sqs:eu-west-1:123456789012:customer-commands.fifo";
    private static final String STANDARD = "arn:aws:sqs:eu-west-1:123456789012:saga-replies";

    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    /**
     * Handles a body; a body starting with "fail" fails; a body starting with "wait" waits (at most 5 s) until
     * {@code together} handlers are inside at once.
     */
    private SqsBatchHandler<String> batch(int together) {
        return new SqsBatchHandler<String>("test message", body -> body, (body, log) -> {
            threads.add(Thread.currentThread());
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                if (body.startsWith("wait")) {
                    long until = System.nanoTime() + 5_000_000_000L;
                    while (most.get() < together && System.nanoTime() < until) {
                        Thread.sleep(5);
                    }
                }
                if (body.startsWith("fail")) {
                    throw new IllegalStateException("refused by the handler");
                }
                handled.add(body);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                inside.decrementAndGet();
            }
        }, Telemetry.fromEnvironment(Map.of(Telemetry.SERVICE, "shop-stack")::get));
    }

    private static SQSEvent.SQSMessage message(String arn, String id, String group, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        m.setEventSourceArn(arn);
        m.setAttributes(group == null ? Map.of() : Map.of(SqsBatchHandler.MESSAGE_GROUP_ID, group));
        return m;
    }

    private static SQSEvent event(List<SQSEvent.SQSMessage> messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(messages);
        return e;
    }

    private static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }

    private List<String> handledOf(String group) {
        return handled.stream().filter(body -> body.endsWith("-" + group)).toList();
    }

    @Test
    void four_groups_run_at_once_and_no_more_while_each_keeps_its_order() {
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            for (String group : List.of("A", "B", "C", "D", "E", "F")) {
                messages.add(message(FIFO, group + n, group, (n == 1 ? "wait" : "then") + n + "-" + group));
            }
        }

        SQSBatchResponse response = batch(4).withConcurrency(4).handle(event(messages));

        assertThat(failed(response)).isEmpty();
        assertThat(most.get()).as("groups inside a handler at once").isEqualTo(4);
        for (String group : List.of("A", "B", "C", "D", "E", "F")) {
            assertThat(handledOf(group)).containsExactly("wait1-" + group, "then2-" + group, "then3-" + group);
        }
    }

    @Test
    void a_failure_fails_the_rest_of_its_group_and_the_other_groups_still_run_at_once() {
        SQSBatchResponse response = batch(2).withConcurrency(3).handle(event(List.of(
                message(FIFO, "a1", "A", "wait1-A"), message(FIFO, "b1", "B", "wait1-B"),
                message(FIFO, "a2", "A", "fail2-A"), message(FIFO, "b2", "B", "then2-B"),
                message(FIFO, "a3", "A", "then3-A"), message(FIFO, "b3", "B", "then3-B"),
                message(FIFO, "c1", "C", "fail1-C"))));

        assertThat(failed(response)).containsExactly("a2", "a3", "c1"); // in the batch's order
        assertThat(handledOf("A")).containsExactly("wait1-A");
        assertThat(handledOf("B")).containsExactly("wait1-B", "then2-B", "then3-B");
        assertThat(most.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_fifo_batch_with_a_message_of_unknown_group_runs_one_message_after_another_in_the_calling_thread() {
        SQSBatchResponse response = batch(1).withConcurrency(4).handle(event(List.of(
                message(FIFO, "m1", "A", "first-A"), message(FIFO, "m2", null, "fail-x"),
                message(FIFO, "m3", "B", "third-B"))));

        assertThat(failed(response)).containsExactly("m2", "m3");
        assertThat(handled).containsExactly("first-A");
        assertThat(threads).containsExactly(Thread.currentThread());
    }

    @Test
    void a_message_of_unknown_group_held_back_by_an_earlier_failure_holds_back_every_message_after_it() {
        // m2 may be of group B: m3 must not be handled (and deleted) before m2 comes back
        SQSBatchResponse response = batch(1).withConcurrency(4).handle(event(List.of(
                message(FIFO, "m1", "A", "fail-A"), message(FIFO, "m2", null, "second-x"),
                message(FIFO, "m3", "B", "third-B"))));

        assertThat(failed(response)).containsExactly("m1", "m2", "m3");
        assertThat(handled).isEmpty();
    }

    @Test
    void a_standard_queues_messages_each_run_on_their_own_and_a_failure_fails_only_itself() {
        SQSBatchResponse response = batch(3).withConcurrency(8).handle(event(List.of(
                message(STANDARD, "m1", null, "wait-1"), message(STANDARD, "m2", null, "wait-2"),
                message(STANDARD, "m3", null, "wait-3"), message(STANDARD, "m4", null, "fail-4"),
                message(STANDARD, "m5", null, "then-5"))));

        assertThat(failed(response)).containsExactly("m4");
        assertThat(handled).containsExactlyInAnyOrder("wait-1", "wait-2", "wait-3", "then-5");
        assertThat(most.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void an_error_in_one_group_is_thrown_once_every_other_group_has_finished() {
        AtomicInteger finished = new AtomicInteger();
        SqsBatchHandler<String> batch = new SqsBatchHandler<String>("test message", body -> body, (body, log) -> {
            if (body.equals("error")) {
                throw new AssertionError("not an exception");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            finished.incrementAndGet();
        }, Telemetry.fromEnvironment(name -> null)).withConcurrency(3);

        assertThatThrownBy(() -> batch.handle(event(List.of(message(FIFO, "a1", "A", "error"),
                message(FIFO, "b1", "B", "slow"), message(FIFO, "c1", "C", "slow")))))
                .isInstanceOf(AssertionError.class);
        assertThat(finished.get()).as("the other groups, waited for before the error ends the batch").isEqualTo(2);
    }

    @Test
    void the_workers_log_with_the_invocations_request_id() {
        Map<String, String> requestIds = new ConcurrentHashMap<>();
        SqsBatchHandler<String> batch = new SqsBatchHandler<String>("test message", body -> body, (body, log) ->
                requestIds.put(body + " on " + Thread.currentThread().getName(),
                        String.valueOf(MDC.get("function_request_id"))),
                Telemetry.fromEnvironment(name -> null)).withConcurrency(2);

        batch.handleRequest(event(List.of(message(FIFO, "a1", "A", "a"), message(FIFO, "b1", "B", "b"))),
                new TestContext("CustomerCommandsFunction", "request-7"));

        assertThat(requestIds).hasSize(2);
        assertThat(requestIds.values()).containsOnly("request-7");
        assertThat(requestIds.keySet()).allMatch(key -> key.contains("batch-worker"));
    }

    @Test
    void one_after_another_is_the_default_and_a_concurrency_outside_one_to_sixty_four_is_refused() {
        SqsBatchHandler<String> batch = batch(1);
        assertThat(batch.concurrency()).isEqualTo(1);
        batch.handle(event(List.of(message(FIFO, "a1", "A", "one-A"), message(FIFO, "b1", "B", "one-B"))));
        assertThat(threads).containsExactly(Thread.currentThread());
        assertThatThrownBy(() -> batch.withConcurrency(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..64");
        assertThatThrownBy(() -> batch.withConcurrency(65)).isInstanceOf(IllegalArgumentException.class);
    }
}
