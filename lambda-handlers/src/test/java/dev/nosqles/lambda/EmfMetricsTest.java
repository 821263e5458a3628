package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.metrics.Metric;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** EMF metrics: a flush that runs while other threads add loses nothing, counts or maxima. */
class EmfMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void counts_added_while_another_thread_flushes_all_reach_a_flushed_line() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        EmfMetrics metrics = new EmfMetrics("nosqles", "test", lines::add, Clock.systemUTC());
        int threads = 4;
        int adds = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean adding = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong added = new java.util.concurrent.atomic.AtomicLong();
        Thread flusher = new Thread(() -> {
            while (adding.get()) {
                metrics.flush();
            }
        });
        List<Thread> adders = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread adder = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                // at least `adds` each, and on until the flusher has written lines while adds were under way (on
                // two cores the adders could otherwise finish before the flusher is scheduled at all)
                long mine = 0;
                while ((mine < adds || lines.size() < 3) && mine < 100_000_000) {
                    metrics.add(Metric.COMMANDS_HANDLED, 1);
                    mine++;
                }
                added.addAndGet(mine);
            });
            adders.add(adder);
            adder.start();
        }
        flusher.start();
        start.countDown();
        for (Thread adder : adders) {
            adder.join();
        }
        adding.set(false);
        flusher.join();
        metrics.flush();

        long flushed = 0;
        for (String line : lines) {
            JsonNode node = JSON.readTree(line);
            flushed += node.path(Metric.COMMANDS_HANDLED.metricName()).asLong(0);
        }
        assertThat(lines).as("the flusher wrote lines while the adders added").hasSizeGreaterThanOrEqualTo(3);
        assertThat(added.get()).isGreaterThanOrEqualTo((long) threads * adds);
        assertThat(flushed).as("every add reached a flushed line").isEqualTo(added.get());
    }

    @Test
    void a_flush_with_nothing_counted_writes_nothing_and_a_maximum_starts_again_after_a_flush() {
        List<String> lines = new CopyOnWriteArrayList<>();
        EmfMetrics metrics = new EmfMetrics("nosqles", "test", lines::add, Clock.systemUTC());
        metrics.flush();
        assertThat(lines).isEmpty();

        Metric max = java.util.Arrays.stream(Metric.values()).filter(m -> m.unit() == Metric.Unit.MILLISECONDS)
                .findFirst().orElseThrow();
        metrics.add(max, 500);
        metrics.flush();
        metrics.add(max, 7);
        metrics.flush();

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("\"" + max.metricName() + "\":7");
    }
}
