package dev.nosqles.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.ReadModelStatus.State;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.dynamodb.AccountsWorld.AccountRow;
import dev.nosqles.dynamodb.DynamoDbReadModels.RebuildOptions;
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
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
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
        // (no assertion on handler invocations here: a feeder that loses a race runs its handlers again, in process
        // or after a retry, so a count is no invariant. The fold above is: each row counts the events applied to it
        // and sums their ids, so an event lost, applied twice or applied in another's place fails it.)
    }

    @Test
    void a_version_dropped_between_two_pages_of_its_rebuild_is_left_without_rows_checkpoints_or_progress() {
        // given history and a rebuild of one segment, 8 items a page, into version 1
        world.writeHistory(0, 30);
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC()).dropGrace(java.time.Duration.ZERO)
                .build();
        AtomicInteger pages = new AtomicInteger();

        // when, between its first and second page, the version is dropped to the end (grace 0)
        assertThatThrownBy(() -> readModels.rebuild("accounts", new RebuildOptions(1, 8), p -> {
            if (pages.incrementAndGet() == 1) {
                assertThat(world.readModelRows("accounts", 1)).isPositive();
                readModels.drop("accounts", 1);
            }
        })).isInstanceOf(dev.nosqles.projection.ReadModelStateException.class);

        // then the rebuild stopped before writing another page: nothing of version 1 is left
        assertThat(pages).hasValue(1);
        assertThat(world.readModelRows("accounts", 1)).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 1))).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.progressName("accounts", 1))).isZero();
        assertThat(readModels.status("accounts").versions()).isEmpty();
    }

    @Test
    void a_version_dropped_while_a_page_keeps_losing_races_stops_the_rebuild_at_its_next_attempt() {
        // given history and a rebuild of one segment whose page transactions all lose their races (cancelled, as
        // when a hot row or the live stream moved meanwhile), the version dropped at the first (grace 0)
        world.writeHistory(0, 6);
        DynamoDbReadModels dropper = world.readModels(Clock.systemUTC()).dropGrace(java.time.Duration.ZERO).build();
        AtomicInteger cancelled = new AtomicInteger();
        ExecutionInterceptor losing = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest) {
                    if (cancelled.incrementAndGet() == 1) {
                        dropper.drop("accounts", 1); // rows, checkpoints and progress deleted now
                    }
                    throw software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.builder()
                            .message("injected: a race lost").cancellationReasons(
                                    software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder()
                                            .code("ConditionalCheckFailed").build()).build();
                }
            }
        };
        DynamoDbReadModels racing = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(losing))
                .dropGrace(java.time.Duration.ZERO).build();

        // when the rebuild runs its page: it stops at the page's first retry, not after every retry of the page
        // (up to 50 with back-off, which could outlast a drop's grace and then write under the dropped version)
        assertThatThrownBy(() -> racing.rebuild("accounts", new RebuildOptions(1, 50), p -> { }))
                .isInstanceOf(dev.nosqles.projection.ReadModelStateException.class)
                .hasMessageContaining("no longer BUILDING");

        assertThat(cancelled.get()).isPositive();
        assertThat(world.readModelRows("accounts", 1)).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 1))).isZero();
        assertThat(racing.status("accounts").versions()).isEmpty();
    }

    @Test
    void a_live_batch_racing_a_rebuild_that_moved_the_checkpoint_succeeds_in_one_dispatch_and_applies_each_event_once() {
        // given an account with three commits and a read model whose version 1 the first batch registers
        String id = AccountsWorld.accountId(0);
        List<Map<String, AttributeValue>> commits = new ArrayList<>();
        commits.add(world.commitItem(world.accounts.create(id, new BankAccount.Open(AccountsWorld.owner(0)))));
        commits.add(world.commitItem(world.accounts.update(id, new BankAccount.Deposit(5))));
        commits.add(world.commitItem(world.accounts.update(id, new BankAccount.Deposit(7))));
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC()).build();
        readModels.subscribers();
        // and another feeder of version 1 (a rebuild's page) that handles the first two commits just before the
        // live batch's transaction: it moves the checkpoint the live batch read
        AtomicBoolean raced = new AtomicBoolean();
        ExecutionInterceptor race = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest && raced.compareAndSet(false, true)) {
                    EventDispatcher rebuildPage = new EventDispatcher(readModels::subscribers, world.checkpoints,
                            world.store);
                    assertThat(rebuildPage.dispatch(commits.subList(0, 2)).succeeded()).isTrue();
                }
            }
        };
        EventDispatcher live = new EventDispatcher(readModels::subscribers,
                DynamoDbCheckpointStore.builder().client(AccountsWorld.clientWith(race))
                        .tableName(world.checkpointsTable).build(), world.store);

        // when the live stream dispatches the three commits once
        EventDispatcher.Result result = live.dispatch(commits);

        // then the race happened, the batch succeeded without a Lambda retry, and the row is the fold: the first two
        // events applied once (by the rebuild's page), the third by the live batch's second run of its scope
        assertThat(raced).isTrue();
        assertThat(result.succeeded()).as("dispatch succeeded").isTrue();
        assertThat(readModels.get(world.projection, id)).contains(world.fold(List.of(id)).get(id));
        assertThat(world.readModelRows("accounts", 1)).isEqualTo(1);
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

    @Test
    void a_rebuild_commits_each_page_in_one_transaction_and_saves_its_progress_with_two_small_writes_per_page() {
        // given 12 accounts of 4 commits (5 events) each; pages of 8 items hold two whole accounts
        world.writeHistory(0, 12);
        Map<String, AtomicInteger> requests = new java.util.concurrent.ConcurrentHashMap<>();
        software.amazon.awssdk.core.interceptor.ExecutionInterceptor count =
                new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution c,
                                                software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
                        requests.computeIfAbsent(c.request().getClass().getSimpleName(), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                };
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(count)).build();
        List<RebuildProgress> reports = new ArrayList<>();

        readModels.rebuild("accounts", new RebuildOptions(1, 8), reports::add);

        int scans = requests.get("ScanRequest").get();
        assertThat(scans).as("pages (an emulator may add an empty last page)").isBetween(6, 7);
        assertThat(requests.get("TransactWriteItemsRequest"))
                .as("one transaction per page: its two aggregates' checkpoint moves with their rows").hasValue(6);
        assertThat(requests.get("BatchGetItemRequest")).as("checkpoints read per page").hasValue(6);
        assertThat(requests.get("UpdateItemRequest")).as("registry count and progress per page, READY")
                .hasValue(2 * scans + 1);
        assertThat(requests.getOrDefault("GetItemRequest", new AtomicInteger()))
                .as("registry read, status, and the BUILDING check before each of the 6 pages of events")
                .hasValue(2 + 6);
        assertThat(requests.getOrDefault("PutItemRequest", new AtomicInteger())).as("the registration").hasValue(1);
        // and the progress reports add up: events, items, a rate, and an ETA of zero at the end
        assertThat(reports).hasSize(scans + 1);
        RebuildProgress last = reports.get(reports.size() - 1);
        assertThat(last.done()).isTrue();
        assertThat(last.events()).isEqualTo(60);
        assertThat(last.scannedItems()).isEqualTo(48);
        assertThat(last.estimatedItems()).isGreaterThanOrEqualTo(48);
        assertThat(last.eventsPerSecond()).isPositive();
        assertThat(last.eta()).contains(java.time.Duration.ZERO);
        assertThat(reports.get(0).events()).isEqualTo(10);
        assertThat(reports.get(0).scannedItems()).isEqualTo(8);
        assertThat(reports.subList(0, reports.size() - 1)).allSatisfy(r -> assertThat(r.done()).isFalse());
    }

    /** Counts requests by type and keeps the TransactWriteItems requests sent (every attempt). */
    private static final class Requests implements ExecutionInterceptor {
        final Map<String, AtomicInteger> byType = new java.util.concurrent.ConcurrentHashMap<>();
        final List<TransactWriteItemsRequest> transactions = new CopyOnWriteArrayList<>();
        final AtomicInteger cancelled = new AtomicInteger();

        @Override
        public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
            byType.computeIfAbsent(c.request().getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
            if (c.request() instanceof TransactWriteItemsRequest t) {
                transactions.add(t);
            }
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution c, ExecutionAttributes a) {
            if (c.exception() instanceof software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException) {
                cancelled.incrementAndGet();
            }
        }

        int count(String type) {
            return byType.getOrDefault(type, new AtomicInteger()).get();
        }
    }

    private static List<String> accountIds(int count) {
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < count; a++) {
            ids.add(AccountsWorld.accountId(a));
        }
        return ids;
    }

    @Test
    void a_page_of_twelve_aggregates_is_written_in_one_transaction_instead_of_twelve() {
        // given 12 accounts of 4 commits (5 events) each, all in one page of 48 items
        world.writeHistory(0, 12);
        Requests requests = new Requests();
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(requests)).build();

        // when the read model is rebuilt in one segment
        readModels.rebuild("accounts", new RebuildOptions(1, 48), p -> { });

        // then the page's 12 checkpoint moves and 12 rows went in one transaction, each item once
        assertThat(requests.count("TransactWriteItemsRequest")).as("transactions for the page").isEqualTo(1);
        TransactWriteItemsRequest tx = requests.transactions.get(0);
        assertThat(tx.transactItems()).hasSize(24);
        assertThat(tx.transactItems().stream().filter(i -> i.put() != null
                && i.put().tableName().equals(world.checkpointsTable)).count()).as("checkpoint moves").isEqualTo(12);
        assertThat(tx.transactItems().stream().map(i -> i.put().tableName() + i.put().item().get("pk")
                + i.put().item().get("streamId")).distinct().count()).as("distinct items").isEqualTo(24);
        assertThat(requests.count("BatchGetItemRequest")).as("checkpoints read for the page").isEqualTo(1);
        // and each event was handed to the projection once, the version equals the fold
        world.allEventIds(accountIds(12)).keySet()
                .forEach(id -> assertThat(world.invocations.get(id)).as("invocations of " + id).hasValue(1));
        assertVersionEqualsFold(readModels, 1, accountIds(12));
    }

    @Test
    void a_combined_transaction_cancelled_because_the_live_feed_moved_a_checkpoint_falls_back_and_ends_exact() {
        // given 6 accounts in one page, and a read model whose version 1 the rebuild registers (the live feed feeds
        // it from then on)
        world.writeHistory(0, 6);
        List<String> ids = accountIds(6);
        DynamoDbReadModels live = world.readModels(Clock.systemUTC()).build();
        // and, between the page's dispatch and its combined transaction, a new deposit on acc-2 that the live feed
        // delivers first: it fills acc-2's gap from the events table and moves its checkpoint from 0 to 6
        AtomicBoolean raced = new AtomicBoolean();
        Requests requests = new Requests();
        ExecutionInterceptor race = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest && raced.compareAndSet(false, true)) {
                    world.feed(live, List.of(world.commitItem(world.accounts.update(AccountsWorld.accountId(2),
                            new BankAccount.Deposit(40)))));
                    assertThat(world.checkpoints.position(ReadModelRegistry.checkpointName("accounts", 1),
                            dev.nosqles.store.StreamId.of("Account", AccountsWorld.accountId(2)))).isEqualTo(6);
                }
            }
        };
        DynamoDbReadModels rebuilding = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(race, requests))
                .build();

        // when the version is rebuilt
        ReadModelStatus status = rebuilding.rebuild("accounts", new RebuildOptions(1, 24), p -> { });

        // then the combined transaction was cancelled (acc-2's checkpoint condition) and the page fell back to one
        // transaction per aggregate through the real checkpoint store, acc-2 being a duplicate there
        assertThat(raced).isTrue();
        assertThat(requests.cancelled).as("combined transaction cancelled").hasValue(1);
        assertThat(requests.transactions.get(0).transactItems()).hasSize(12);
        assertThat(requests.count("TransactWriteItemsRequest")).as("the combined one, then 5 aggregates")
                .isEqualTo(1 + 5);
        assertThat(status.versions()).singleElement().satisfies(v -> assertThat(v.state()).isEqualTo(State.READY));
        // and the version equals the fold row by row (each row counts its events and sums their ids): no event of
        // acc-2 applied twice nor lost, the others applied once
        assertVersionEqualsFold(rebuilding, 1, ids);
    }

    @Test
    void a_combined_transaction_whose_answer_was_lost_is_recognised_by_its_token_when_the_sdk_retries_it() {
        // given 6 accounts in one page and a client that loses the answer of the first transaction (it landed; the
        // SDK sends it again, and the retry fails its checkpoint conditions against its own writes)
        world.writeHistory(0, 6);
        List<String> ids = accountIds(6);
        dev.nosqles.testsupport.LostResponseInterceptor lost =
                dev.nosqles.testsupport.LostResponseInterceptor.ofFirst(1, TransactWriteItemsRequest.class);
        Requests requests = new Requests();
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(lost, requests))
                .build();
        List<RebuildProgress> reports = new ArrayList<>();

        // when the version is rebuilt
        readModels.rebuild("accounts", new RebuildOptions(1, 24), reports::add);

        // then the answer was lost once, the retry was taken for the landed transaction it is (no fallback: the
        // page's handlers ran once), the page counts its 30 events, and the version equals the fold
        assertThat(lost.injected()).isEqualTo(1);
        assertThat(requests.count("TransactWriteItemsRequest")).as("one transaction, no fallback").isEqualTo(1);
        world.allEventIds(ids).keySet()
                .forEach(id -> assertThat(world.invocations.get(id)).as("invocations of " + id).hasValue(1));
        assertThat(reports.get(reports.size() - 1).events()).isEqualTo(30);
        assertVersionEqualsFold(readModels, 1, ids);
    }

    @Test
    void two_runs_of_one_rebuild_at_once_one_stops_at_its_first_page_and_no_event_is_applied_twice() throws Exception {
        world.writeHistory(0, 8);
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < 8; a++) {
            ids.add(AccountsWorld.accountId(a));
        }
        // a client that holds the first two progress writes until both runs have done their first page
        java.util.concurrent.CyclicBarrier bothPaged = new java.util.concurrent.CyclicBarrier(2);
        AtomicInteger progressWrites = new AtomicInteger();
        software.amazon.awssdk.core.interceptor.ExecutionInterceptor hold =
                new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution c,
                                                software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
                        if (c.request() instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u
                                && u.updateExpression().startsWith("SET #pages")
                                && progressWrites.incrementAndGet() <= 2) {
                            try {
                                bothPaged.await(60, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                };
        var via = AccountsWorld.clientWith(hold);
        DynamoDbReadModels first = world.readModels(Clock.systemUTC(), via).build();
        DynamoDbReadModels second = world.readModels(Clock.systemUTC(), via).build();
        first.subscribers(); // version 1 serves; the rebuilds build version 2
        ExecutorService operators = Executors.newFixedThreadPool(2);
        List<Future<ReadModelStatus>> runs = List.of(
                operators.submit(() -> first.rebuild("accounts", new RebuildOptions(1, 8), p -> { })),
                operators.submit(() -> {
                    Thread.sleep(300); // after the first registered version 2: the second resumes it
                    return second.rebuild("accounts", new RebuildOptions(1, 8), p -> { });
                }));
        List<Throwable> failures = new ArrayList<>();
        for (Future<ReadModelStatus> run : runs) {
            try {
                assertThat(run.get(120, TimeUnit.SECONDS).versions()).extracting(ReadModelStatus.Version::state)
                        .containsExactly(State.SERVING, State.READY);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        operators.shutdown();

        assertThat(failures).singleElement().isInstanceOfSatisfying(
                dev.nosqles.projection.ReadModelStateException.class, e -> assertThat(e.version()).isEqualTo(2));
        assertVersionEqualsFold(first, 2, ids);
    }

    /** A row shared by the accounts of one owner. */
    record OwnerTotal(String owner, long balance, long events) {
    }

    @Test
    void segments_that_update_one_shared_row_at_once_retry_their_page_and_lose_no_update() {
        // given 15 accounts of 3 owners, and a read model of one row per owner: segments race on those rows
        world.writeHistory(0, 15);
        var totals = dev.nosqles.projection.Projection.builder("owner-totals", OwnerTotal.class, OwnerTotal::owner)
                .on(new BankAccount(), (event, rows) -> {
                    String owner = world.accounts.find(event.streamId().id()).orElseThrow().state().owner();
                    long amount = switch (event.event()) {
                        case BankAccount.Opened o -> 0;
                        case BankAccount.Deposited d -> d.amount();
                        case BankAccount.Withdrawn w -> -w.amount();
                    };
                    OwnerTotal now = rows.get(owner).orElse(new OwnerTotal(owner, 0, 0));
                    rows.put(new OwnerTotal(owner, now.balance() + amount, now.events() + 1));
                })
                .build();
        AtomicInteger cancelled = new AtomicInteger();
        software.amazon.awssdk.core.interceptor.ExecutionInterceptor countCancelled =
                new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void onExecutionFailure(software.amazon.awssdk.core.interceptor.Context.FailedExecution c,
                                                   software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
                        if (c.exception() instanceof software.amazon.awssdk.services.dynamodb.model
                                .TransactionCanceledException) {
                            cancelled.incrementAndGet();
                        }
                    }
                };
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(countCancelled))
                .projections(List.of(world.projection, totals)).build();

        readModels.rebuild("owner-totals", new RebuildOptions(4, 2), p -> { });
        readModels.switchTo("owner-totals", 1);

        for (int o = 0; o < 3; o++) {
            String owner = "owner-" + o;
            long balance = 0;
            for (int a = o; a < 15; a += 3) {
                balance += world.accounts.get(AccountsWorld.accountId(a)).state().balance();
            }
            assertThat(readModels.get(totals, owner)).contains(new OwnerTotal(owner, balance, 5 * 5));
        }
        assertThat(cancelled.get()).as("transactions cancelled by a shared row changed since read").isPositive();
    }
}
