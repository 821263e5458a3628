package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Optimistic concurrency through the repository on DynamoDB: no lost update. Each writer has its own repository,
 * as writers in separate processes (Lambda instances) do: one repository's threads take turns (ADR 0018), so only
 * separate repositories race to the conditional write.
 */
class ConcurrentUpdatesTest {

    @Test
    void sixteen_writers_in_separate_processes_making_fifteen_updates_each_leave_240_contiguous_events_and_no_lost_update()
            throws Exception {
        CapacityMeter meter = new CapacityMeter();
        DynamoDbClient client = TestTables.client(meter);
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(client)
                .tableName(TestTables.newEventsTable(client, "contention")).build();
        // snapshots keep each reload short, as they would for any hot aggregate
        DynamoDbSnapshotStore snapshots = DynamoDbSnapshotStore.builder().client(client)
                .tableName(TestTables.newSnapshotsTable(client, "contention")).build();
        java.util.function.Supplier<AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event>>
                process = () -> AggregateRepository.builder(new BankAccount(10, 1)).eventStore(store)
                .snapshotStore(snapshots).retry(new RetryPolicy(1_000, Duration.ofMillis(1), Duration.ofMillis(50)))
                .build();
        var accounts = process.get();
        accounts.create("hot", new BankAccount.Open("everyone"));

        int writers = 16;
        int updatesEach = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> retries = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            var own = process.get();
            retries.add(pool.submit(() -> {
                start.await();
                int extraAttempts = 0;
                for (int i = 0; i < updatesEach; i++) {
                    // each deposit is unique, so a lost update would show in the sum
                    long amount = writer * 1_000L + i + 1;
                    extraAttempts += own.update("hot", new BankAccount.Deposit(amount)).attempts() - 1;
                }
                return extraAttempts;
            }));
        }
        start.countDown();
        int totalRetries = 0;
        for (Future<Integer> f : retries) {
            totalRetries += f.get();
        }
        pool.shutdown();

        List<RecordedEvent> events = store.read(StreamId.of("Account", "hot")).events();
        List<RecordedEvent> deposits = events.subList(1, events.size());
        assertThat(deposits).hasSize(writers * updatesEach);
        assertThat(events).extracting(RecordedEvent::version)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1 + writers * updatesEach).boxed().toList());
        long expectedSum = 0;
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < updatesEach; i++) {
                expectedSum += w * 1_000L + i + 1;
            }
        }
        AggregateState<BankAccount.State> state = accounts.get("hot");
        assertThat(state.state().balance()).isEqualTo(expectedSum);
        assertThat(state.state().deposits()).isEqualTo(writers * updatesEach);
        assertThat(state.version()).isEqualTo(1 + writers * updatesEach);
        // contention really happened: otherwise this test proves nothing about concurrency control
        assertThat(totalRetries).isPositive();
    }
}
