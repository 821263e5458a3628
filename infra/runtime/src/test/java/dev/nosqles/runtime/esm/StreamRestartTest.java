package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The durable checkpoint: a new poller with the same mapping id and checkpoint table resumes where the last settled. */
class StreamRestartTest {
    private static final EsmFixture fx = new EsmFixture();
    private static String table;
    private static String checkpoints;

    @BeforeAll
    static void tables() {
        table = fx.newEventsTable("esm-restart");
        checkpoints = EsmFixture.unique("esm-checkpoints");
    }

    /** A fresh mapping id per test; both pollers of a test share it. LATEST isolates the tests on the shared table. */
    private static StreamMapping mapping() {
        return StreamMapping.defaults(EsmFixture.unique("restart"), "projector", table)
                .withStartingPosition(StartingPosition.LATEST).withBatchSize(3);
    }

    private static RequestHandler<DynamodbEvent, Void> recording(List<Integer> seen) {
        return (event, context) -> {
            seen.addAll(EsmFixture.ns(event));
            return null;
        };
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void a_poller_stopped_between_batches_is_resumed_by_a_new_one_without_loss_or_redelivery() {
        StreamMapping mapping = mapping();
        List<Integer> first = new ArrayList<>();
        DynamoDbStreamPoller before = new DynamoDbStreamPoller(mapping, recording(first), fx.clients, checkpoints);
        fx.putEvents(table, "between", 0, 9);
        before.pollOnce();
        before.pollOnce();

        List<Integer> second = new ArrayList<>();
        DynamoDbStreamPoller after = new DynamoDbStreamPoller(mapping, recording(second), fx.clients, checkpoints);
        fx.putEvents(table, "between", 10, 11);
        after.drainUntilIdle();

        assertThat(first).containsExactlyElementsOf(range(0, 5));
        assertThat(second).containsExactlyElementsOf(range(6, 11));
    }

    @Test
    void a_batch_that_failed_before_the_poller_went_away_is_handed_over_again_and_nothing_settled_is() {
        StreamMapping mapping = mapping();
        List<Integer> first = new ArrayList<>();
        DynamoDbStreamPoller before = new DynamoDbStreamPoller(mapping, (event, context) -> {
            List<Integer> ns = EsmFixture.ns(event);
            first.add(ns.getFirst()); // some work done, then the process "crashes" mid-batch
            if (ns.contains(4)) {
                throw new IllegalStateException("crash after some work");
            }
            first.addAll(ns.subList(1, ns.size()));
            return null;
        }, fx.clients, checkpoints);
        fx.putEvents(table, "crash", 0, 8);
        before.pollOnce();
        before.pollOnce(); // [3, 4, 5] fails and waits, in memory only, for a retry that never comes

        List<Integer> second = new ArrayList<>();
        new DynamoDbStreamPoller(mapping, recording(second), fx.clients, checkpoints).drainUntilIdle();

        assertThat(first).containsExactly(0, 1, 2, 3);
        assertThat(second).containsExactlyElementsOf(range(3, 8));
    }

    @Test
    void stop_lets_the_in_flight_invocation_finish_and_settle_before_the_thread_ends() {
        StreamMapping mapping = mapping();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> first = new CopyOnWriteArrayList<>();
        DynamoDbStreamPoller before = new DynamoDbStreamPoller(mapping,
                (event, context) -> {
                    List<Integer> ns = EsmFixture.ns(event);
                    if (ns.contains(3)) {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    first.addAll(ns);
                    return null;
                }, fx.clients, checkpoints);
        fx.putEvents(table, "graceful", 0, 8);
        before.start();
        awaitUninterruptibly(entered);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(before::stop);
        while (!before.stopRequested()) {
            Thread.onSpinWait();
        }
        release.countDown();
        stopping.join();

        List<Integer> second = new ArrayList<>();
        new DynamoDbStreamPoller(mapping, recording(second), fx.clients, checkpoints).drainUntilIdle();

        assertThat(first).containsExactlyElementsOf(range(0, 5));
        assertThat(second).containsExactlyElementsOf(range(6, 8));
    }

    @Test
    void stop_abandons_an_invocation_that_outlasts_the_grace_period_and_a_new_poller_hands_it_over_again() {
        StreamMapping mapping = mapping();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        List<Integer> first = new CopyOnWriteArrayList<>();
        DynamoDbStreamPoller before = new DynamoDbStreamPoller(mapping, (event, context) -> {
            List<Integer> ns = EsmFixture.ns(event);
            if (ns.contains(3)) {
                entered.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted by stop", e);
                }
            }
            first.addAll(ns);
            return null;
        }, fx.clients, checkpoints);
        fx.putEvents(table, "abandon", 0, 8);
        before.start();
        awaitUninterruptibly(entered);

        boolean finished = before.stop(Duration.ofMillis(50));

        assertThat(finished).isFalse();
        assertThatThrownBy(before::pollOnce).isInstanceOf(IllegalStateException.class).hasMessageContaining("abandoned");
        List<Integer> second = new ArrayList<>();
        new DynamoDbStreamPoller(mapping, recording(second), fx.clients, checkpoints).drainUntilIdle();
        assertThat(first).containsExactly(0, 1, 2);
        assertThat(second).containsExactlyElementsOf(range(3, 8));
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
