package dev.nosqles.lambda.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OnceTest {

    // threads of their own: the common pool may have one thread on a 2-core machine
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void a_value_is_built_once_however_many_threads_ask_at_the_same_time() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Once<Object> once = new Once<>(() -> {
            builds.incrementAndGet();
            building.countDown();
            await(release);
            return new Object();
        });
        var first = CompletableFuture.supplyAsync(once::get, threads);
        await(building);
        // the second asks while the first is still building: it waits for that build instead of making its own
        AtomicReference<Thread> secondThread = new AtomicReference<>();
        var second = CompletableFuture.supplyAsync(() -> {
            secondThread.set(Thread.currentThread());
            return once.get();
        }, threads);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (secondThread.get() == null || secondThread.get().getState() != Thread.State.BLOCKED) {
            assertThat(System.nanoTime()).as("the second thread waits for the first build").isLessThan(deadline);
            Thread.sleep(1);
        }
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isSameAs(second.get(10, TimeUnit.SECONDS)).isSameAs(once.get());
        assertThat(builds).hasValue(1);
    }

    @Test
    void one_value_is_built_while_another_is_still_being_built_on_another_thread() throws Exception {
        // the DynamoDB client built on the init thread must not hold up the KMS client built on the keys' thread
        CountDownLatch release = new CountDownLatch(1);
        Once<String> slow = new Once<>(() -> {
            await(release);
            return "dynamodb";
        });
        Once<String> other = new Once<>(() -> "kms");
        var slowOne = CompletableFuture.supplyAsync(slow::get, threads);
        try {
            assertThat(CompletableFuture.supplyAsync(other::get, threads).get(10, TimeUnit.SECONDS)).isEqualTo("kms");
            assertThat(slowOne).isNotDone();
        } finally {
            release.countDown();
        }
        assertThat(slowOne.get(10, TimeUnit.SECONDS)).isEqualTo("dynamodb");
    }

    @Test
    void a_build_that_fails_leaves_nothing_behind_and_the_next_use_builds_again() {
        AtomicInteger builds = new AtomicInteger();
        Once<String> once = new Once<>(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("environment variable AWS_REGION is not set");
            }
            return "client";
        });

        assertThatThrownBy(once::get).isInstanceOf(IllegalStateException.class);
        assertThat(once.get()).isEqualTo("client");
        assertThat(once.get()).isEqualTo("client");
        assertThat(builds).hasValue(2);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
