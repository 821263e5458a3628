package dev.nosqles.projection.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.ReadModelStatus.State;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.projection.dynamodb.AccountsWorld.AccountRow;
import dev.nosqles.projection.dynamodb.DynamoDbReadModels.RebuildOptions;
import dev.nosqles.projection.internal.ReadModelRegistry;
import dev.nosqles.testsupport.BankAccount;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Full-history rebuilds: from the events table into a new version, while the live stream keeps feeding it, and
 * after a crash; each ends equal to a fold of the event store, every event applied exactly once.
 */
class RebuildTest {
    private final AccountsWorld world = new AccountsWorld("accounts");

    private void assertVersionEqualsFold(DynamoDbReadModels readModels, int version, List<String> accountIds) {
        readModels.switchTo("accounts", version);
        Map<String, AccountRow> expected = world.fold(accountIds);
        assertThat(expected).hasSize(accountIds.size());
        for (String id : accountIds) {
            assertThat(readModels.get(world.projection, id)).as(id).contains(expected.get(id));
        }
        assertThat(world.readModelRows("accounts", version)).isEqualTo(accountIds.size());
    }

    @Test
    void a_rebuild_while_appends_keep_arriving_and_the_live_stream_feeds_ends_equal_to_a_fold_of_the_event_store() throws Exception {
        // given history written before the read model existed
        world.writeHistory(0, 24);
        List<String> ids = new CopyOnWriteArrayList<>();
        for (int a = 0; a < 24; a++) {
            ids.add(AccountsWorld.accountId(a));
        }
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC()).build();

        // and a stream function feeding every new commit, one batch per commit, on another thread
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<CountDownLatch> duringRebuild = new AtomicReference<>();
        CountDownLatch firstBatch = new CountDownLatch(1);
        ExecutorService appender = Executors.newSingleThreadExecutor();
        Future<?> appending = appender.submit(() -> {
            Random random = new Random(7);
            int next = 24;
            while (!stop.get()) {
                CommandResult<BankAccount.State, BankAccount.Event> result;
                if (random.nextInt(4) == 0) {
                    String id = AccountsWorld.accountId(next);
                    result = world.accounts.create(id, new BankAccount.Open(AccountsWorld.owner(next)));
                    ids.add(id);
                    next++;
                } else {
                    result = world.accounts.update(ids.get(random.nextInt(ids.size())),
                            new BankAccount.Deposit(1 + random.nextInt(100)));
                }
                world.feed(readModels, List.of(world.commitItem(result)));
                firstBatch.countDown();
                CountDownLatch latch = duringRebuild.get();
                if (latch != null) {
                    latch.countDown();
                }
            }
            return null;
        });
        assertThat(firstBatch.await(60, TimeUnit.SECONDS)).isTrue();

        // when a rebuild runs; after its first page it lets 6 batches of the live feed pass, so that both feed the
        // new version (it was registered before the Scan began), and the appends go on until it ends
        List<RebuildProgress> reports = new CopyOnWriteArrayList<>();
        CountDownLatch sixBatches = new CountDownLatch(6);
        ReadModelStatus status = readModels.rebuild("accounts", new RebuildOptions(3, 8), p -> {
            if (reports.isEmpty()) {
                duringRebuild.set(sixBatches);
                try {
                    assertThat(sixBatches.await(60, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            reports.add(p);
        });
        Thread.sleep(200);
        stop.set(true);
        appending.get(120, TimeUnit.SECONDS);
        appender.shutdown();

        // then version 1 (registered SERVING by the first batch) serves and version 2 is READY
        assertThat(status.servingVersion()).isEqualTo(1);
        assertThat(status.versions()).extracting(ReadModelStatus.Version::version, ReadModelStatus.Version::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, State.SERVING),
                        org.assertj.core.groups.Tuple.tuple(2, State.READY));
        assertThat(sixBatches.getCount()).isZero();
        assertThat(reports).isNotEmpty();
        assertThat(reports.get(reports.size() - 1).done()).isTrue();
        assertThat(reports.get(reports.size() - 1).scannedItems()).isGreaterThanOrEqualTo(96);
        // and version 2 equals the fold of the event store row by row: every event applied exactly once (each
        // row counts its events and sums their ids), whoever of the rebuild and the live feed came first
        assertVersionEqualsFold(readModels, 2, List.copyOf(ids));
        // every event was handed to a handler (invocations may exceed 2, one per version, only when a feeder lost
        // a checkpoint race and its transaction, with its writes, was cancelled)
        world.allEventIds(List.copyOf(ids)).keySet()
                .forEach(id -> assertThat(world.invocations.get(id)).as("invocations of " + id).isNotNull());
    }

    @Test
    void a_rebuild_that_dies_halfway_resumes_from_its_saved_progress_and_ends_equal_without_applying_an_event_twice() {
        // given history and no read model registered yet
        world.writeHistory(0, 30);
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < 30; a++) {
            ids.add(AccountsWorld.accountId(a));
        }
        // and a process that dies right after its 12th checkpoint write landed (mid-page)
        CrashAfterInterceptor crash = new CrashAfterInterceptor(12, r -> r instanceof TransactWriteItemsRequest
                || r instanceof PutItemRequest p && p.tableName().equals(world.checkpointsTable)
                && !ReadModelRegistry.SUBSCRIBER.equals(p.item().get("subscriber").s()));
        DynamoDbReadModels dying = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(crash)).build();

        assertThatThrownBy(() -> dying.rebuild("accounts", new RebuildOptions(2, 5), p -> { }))
                .hasStackTraceContaining("crash injected");
        assertThat(crash.injected()).isEqualTo(1);
        // version 1 was registered BUILDING (nothing serves yet) and stays so
        DynamoDbReadModels restarted = world.readModels(Clock.systemUTC()).build();
        assertThat(restarted.status("accounts").versions()).singleElement()
                .satisfies(v -> assertThat(v.state()).isEqualTo(State.BUILDING));
        int handledBeforeCrash = world.invocations.size();
        assertThat(handledBeforeCrash).isPositive().isLessThan(150);

        // when the rebuild is called again
        List<RebuildProgress> reports = new ArrayList<>();
        ReadModelStatus status = restarted.rebuild("accounts", new RebuildOptions(2, 5), reports::add);

        // then it resumed the same version from its saved progress: its first report already counts the items
        // scanned before the crash, and it handed only the events not handled before
        assertThat(status.versions()).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo(1);
            assertThat(v.state()).isEqualTo(State.READY);
            // (a page the crash cut short is not counted: its events handled before the crash are duplicates now)
            assertThat(v.rebuiltEvents()).isBetween(150L - 10, 150L);
        });
        assertThat(reports.get(0).scannedItems()).isGreaterThan(5);
        RebuildProgress last = reports.get(reports.size() - 1);
        assertThat(last.done()).isTrue();
        assertThat(last.events()).isEqualTo(150 - handledBeforeCrash);
        // and every event was applied exactly once, the read model equals the fold
        Map<UUID, ?> all = world.allEventIds(ids);
        assertThat(all).hasSize(150);
        all.keySet().forEach(id -> assertThat(world.invocations.get(id)).as("invocations of " + id).hasValue(1));
        assertVersionEqualsFold(restarted, 1, ids);
    }

    @Test
    void a_rebuild_whose_progress_callback_throws_stops_like_a_crash_and_resumes_where_it_stopped() {
        world.writeHistory(0, 12);
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < 12; a++) {
            ids.add(AccountsWorld.accountId(a));
        }
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC()).build();
        AtomicInteger pages = new AtomicInteger();

        assertThatThrownBy(() -> readModels.rebuild("accounts", new RebuildOptions(1, 4), p -> {
            if (pages.incrementAndGet() == 3) {
                throw new IllegalStateException("operator pressed ctrl-c");
            }
        })).hasMessage("operator pressed ctrl-c");
        assertThat(world.checkpointItems(ReadModelRegistry.progressName("accounts", 1))).isEqualTo(1);

        List<RebuildProgress> reports = new ArrayList<>();
        readModels.rebuild("accounts", new RebuildOptions(1, 4), reports::add);

        // 48 commit items in pages of 4: 3 pages before the stop, the rest after, none scanned twice
        assertThat(reports.get(0).scannedItems()).isEqualTo(16);
        assertThat(reports.get(reports.size() - 1).scannedItems()).isEqualTo(48);
        world.allEventIds(ids).keySet()
                .forEach(id -> assertThat(world.invocations.get(id)).as("invocations of " + id).hasValue(1));
        assertVersionEqualsFold(readModels, 1, ids);
    }
}
