package dev.nosqles.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.nosqles.projection.InvalidCursorException;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.projection.ReadModelStateException;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.ReadModelStatus.State;
import dev.nosqles.dynamodb.AccountsWorld.AccountRow;
import dev.nosqles.dynamodb.DynamoDbReadModels.RebuildOptions;
import dev.nosqles.projection.internal.ReadModelRegistry;
import dev.nosqles.subscription.Subscriber;
import dev.nosqles.testsupport.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The registry of read-model versions: registration by the first batch, atomic conditional switch, drop of a
 * version and of nothing else, freshness, and the builder's validation.
 */
class ReadModelRegistryTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final AccountsWorld world = new AccountsWorld("accounts");

    /** Version 1 serving, fed live with the history of 9 accounts; versions 2 and 3 rebuilt, READY. */
    private DynamoDbReadModels threeVersions(Clock clock, DynamoDbClient via) {
        world.writeHistory(0, 9);
        DynamoDbReadModels readModels = world.readModels(clock, via).build();
        world.feed(readModels, world.allCommitItems());
        readModels.rebuild("accounts", new RebuildOptions(2, 10), p -> { });
        readModels.rebuild("accounts", new RebuildOptions(2, 10), p -> { });
        assertThat(readModels.status("accounts").versions()).extracting(ReadModelStatus.Version::version,
                ReadModelStatus.Version::state)
                .containsExactly(tuple(1, State.SERVING), tuple(2, State.READY), tuple(3, State.READY));
        return readModels;
    }

    private static List<String> names(List<Subscriber> subscribers) {
        return subscribers.stream().map(Subscriber::name).toList();
    }

    @Test
    void the_first_batch_registers_version_1_serving_exactly_once_even_when_two_dispatches_race() throws Exception {
        // given a registry with no item, and two stream functions (different clocks) whose reads meet at a barrier
        AtomicInteger registrations = new AtomicInteger();
        ExecutionInterceptor countRegistrations = new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutItemRequest put && put.item().containsKey("subscriber")
                        && ReadModelRegistry.SUBSCRIBER.equals(put.item().get("subscriber").s())) {
                    registrations.incrementAndGet(); // a registration that landed (failed conditions throw)
                }
            }
        };
        DynamoDbClient counted = AccountsWorld.clientWith(countRegistrations);
        for (int round = 0; round < 4; round++) {
            String name = "race-" + round;
            registrations.set(0);
            var projection = world.projection(name);
            CyclicBarrier together = new CyclicBarrier(2);
            List<Callable<List<String>>> functions = new ArrayList<>();
            for (int f = 0; f < 2; f++) {
                DynamoDbReadModels readModels = world.readModels(Clock.fixed(T0.plusSeconds(f), java.time.ZoneOffset.UTC),
                        counted).projections(List.of(projection)).build();
                functions.add(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return names(readModels.subscribers());
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<List<String>>> answers = pool.invokeAll(functions);
            pool.shutdown();

            // then both feed version 1 and exactly one registration landed
            for (Future<List<String>> answer : answers) {
                assertThat(answer.get()).containsExactly("read-model." + name + ".1");
            }
            assertThat(registrations.get()).as("registrations in round " + round).isEqualTo(1);
            DynamoDbReadModels later = world.readModels(Clock.fixed(T0.plusSeconds(60), java.time.ZoneOffset.UTC))
                    .projections(List.of(projection)).build();
            later.subscribers();
            ReadModelStatus status = later.status(name);
            assertThat(status.servingVersion()).isEqualTo(1);
            assertThat(status.versions()).singleElement().satisfies(v -> {
                assertThat(v.state()).isEqualTo(State.SERVING);
                assertThat(v.createdAt()).isIn(T0, T0.plusSeconds(1)); // not overwritten by a later batch
            });
        }
    }

    @Test
    void switching_to_a_building_version_is_refused_and_of_two_racing_switches_exactly_one_wins() throws Exception {
        // given versions 1 (serving), 2 and 3 (READY), 4 (BUILDING: its rebuild stopped after one page); and a
        // client that holds both switches' writes until both switches have read the registry
        CyclicBarrier bothRead = new CyclicBarrier(2);
        AtomicInteger held = new AtomicInteger();
        ExecutionInterceptor holdSwitches = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UpdateItemRequest u && u.updateExpression().startsWith("SET #serving")
                        && held.incrementAndGet() <= 2) {
                    try {
                        bothRead.await(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        DynamoDbReadModels readModels = threeVersions(Clock.systemUTC(), AccountsWorld.clientWith(holdSwitches));
        assertThatThrownBy(() -> readModels.rebuild("accounts", new RebuildOptions(1, 5), p -> {
            throw new IllegalStateException("stopped");
        })).hasMessage("stopped");

        // when switching to the BUILDING version: refused, nothing changed
        assertThatThrownBy(() -> readModels.switchTo("accounts", 4))
                .isInstanceOfSatisfying(ReadModelStateException.class, e -> assertThat(e.version()).isEqualTo(4));
        assertThat(readModels.status("accounts").servingVersion()).isEqualTo(1);

        // when two operators switch at once, to 2 and to 3
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<ReadModelStatus> to2 = pool.submit(() -> readModels.switchTo("accounts", 2));
        Future<ReadModelStatus> to3 = pool.submit(() -> readModels.switchTo("accounts", 3));
        List<Integer> won = new ArrayList<>();
        List<Throwable> lost = new ArrayList<>();
        for (var f : List.of(to2, to3)) {
            try {
                won.add(f.get(60, TimeUnit.SECONDS).servingVersion());
            } catch (java.util.concurrent.ExecutionException e) {
                lost.add(e.getCause());
            }
        }
        pool.shutdown();

        // then exactly one won; the other was refused and its version stays READY; the old one is RETIRED
        assertThat(won).hasSize(1);
        assertThat(lost).singleElement().isInstanceOf(ReadModelStateException.class);
        int winner = won.get(0);
        int loser = winner == 2 ? 3 : 2;
        ReadModelStatus status = readModels.status("accounts");
        assertThat(status.servingVersion()).isEqualTo(winner);
        assertThat(status.versions()).extracting(ReadModelStatus.Version::version, ReadModelStatus.Version::state)
                .containsExactly(tuple(1, State.RETIRED), tuple(2, winner == 2 ? State.SERVING : State.READY),
                        tuple(3, winner == 3 ? State.SERVING : State.READY), tuple(4, State.BUILDING));
        assertThat(loser).isNotEqualTo(winner);
        // and switching back to the RETIRED version is allowed
        assertThat(readModels.switchTo("accounts", 1).servingVersion()).isEqualTo(1);
    }

    @Test
    void queries_read_the_serving_version_and_a_cursor_of_a_dropped_version_is_expired() {
        DynamoDbReadModels readModels = threeVersions(Clock.systemUTC(), world.client);
        PageRequest first = new PageRequest(2, Optional.empty(), "tester", false);

        // given a first page of version 1 and its cursor
        Page<AccountRow> page1 = readModels.query(world.projection, "by-owner", "owner-0", first);
        assertThat(page1.version()).isEqualTo(1);
        assertThat(page1.rows()).extracting(AccountRow::accountId).containsExactly("acc-0", "acc-3");
        String cursor = page1.nextCursor().orElseThrow();
        PageRequest next = new PageRequest(2, Optional.of(cursor), "tester", false);

        // when reads move to version 2: new queries read it, the cursor still reads its own (RETIRED) version
        readModels.switchTo("accounts", 2);
        assertThat(readModels.query(world.projection, "by-owner", "owner-0", first).version()).isEqualTo(2);
        Page<AccountRow> page2 = readModels.query(world.projection, "by-owner", "owner-0", next);
        assertThat(page2.version()).isEqualTo(1);
        assertThat(page2.rows()).extracting(AccountRow::accountId).containsExactly("acc-6");
        assertThat(readModels.get(world.projection, "acc-4")).map(AccountRow::owner).contains("owner-1");

        // when version 1 is dropped: its cursor is EXPIRED
        readModels.drop("accounts", 1);
        assertThatThrownBy(() -> readModels.query(world.projection, "by-owner", "owner-0", next))
                .isInstanceOfSatisfying(InvalidCursorException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidCursorException.Reason.EXPIRED));
    }

    @Test
    void drop_deletes_the_rows_checkpoints_and_progress_of_its_version_and_nothing_of_another() {
        DynamoDbReadModels readModels = threeVersions(Clock.systemUTC(), world.client);
        long rows1 = world.readModelRows("accounts", 1);
        long checkpoints1 = world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 1));
        long checkpoints3 = world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 3));
        assertThat(List.of(rows1, world.readModelRows("accounts", 2), world.readModelRows("accounts", 3)))
                .containsOnly(9L);
        assertThat(List.of(checkpoints1, world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 2)),
                checkpoints3)).containsOnly(9L);
        assertThat(world.checkpointItems(ReadModelRegistry.progressName("accounts", 2))).isEqualTo(2);

        ReadModelStatus status = readModels.drop("accounts", 2);

        assertThat(status.versions()).extracting(ReadModelStatus.Version::version).containsExactly(1, 3);
        assertThat(world.readModelRows("accounts", 2)).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 2))).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.progressName("accounts", 2))).isZero();
        assertThat(world.readModelRows("accounts", 1)).isEqualTo(rows1);
        assertThat(world.readModelRows("accounts", 3)).isEqualTo(9);
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 1))).isEqualTo(checkpoints1);
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 3))).isEqualTo(checkpoints3);
        assertThat(world.checkpointItems(ReadModelRegistry.progressName("accounts", 3))).isEqualTo(2);
        // and the live stream no longer feeds it
        assertThat(names(readModels.subscribers())).containsExactly("read-model.accounts.1", "read-model.accounts.3");
    }

    @Test
    void a_drop_that_died_after_marking_its_version_dropping_is_finished_by_calling_it_again() {
        CrashAfterInterceptor crash = new CrashAfterInterceptor(1, r -> r instanceof UpdateItemRequest u
                && u.updateExpression().contains(":dropping") && u.updateExpression().startsWith("SET"));
        DynamoDbReadModels readModels = threeVersions(Clock.systemUTC(), world.client);
        DynamoDbReadModels dying = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(crash)).build();

        assertThatThrownBy(() -> dying.drop("accounts", 2)).hasStackTraceContaining("crash injected");

        // the version is DROPPING: no longer fed, still holding its rows
        assertThat(crash.injected()).isEqualTo(1);
        assertThat(readModels.status("accounts").versions()).extracting(ReadModelStatus.Version::version,
                ReadModelStatus.Version::state).contains(tuple(2, State.DROPPING));
        assertThat(names(readModels.subscribers())).containsExactly("read-model.accounts.1", "read-model.accounts.3");
        assertThat(world.readModelRows("accounts", 2)).isEqualTo(9);
        assertThatThrownBy(() -> readModels.switchTo("accounts", 2)).isInstanceOf(ReadModelStateException.class);

        readModels.drop("accounts", 2);

        assertThat(readModels.status("accounts").versions()).extracting(ReadModelStatus.Version::version)
                .containsExactly(1, 3);
        assertThat(world.readModelRows("accounts", 2)).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 2))).isZero();
    }

    @Test
    void dropping_the_serving_an_unknown_or_a_dropped_version_or_an_unknown_read_model_is_refused() {
        DynamoDbReadModels readModels = threeVersions(Clock.systemUTC(), world.client);
        readModels.drop("accounts", 3);

        for (int version : new int[] {1, 3, 7}) {
            assertThatThrownBy(() -> readModels.drop("accounts", version))
                    .isInstanceOfSatisfying(ReadModelStateException.class, e -> {
                        assertThat(e.version()).isEqualTo(version);
                        assertThat(e.readModel()).isEqualTo("accounts");
                    });
        }
        assertThatThrownBy(() -> readModels.drop("nope", 1)).isInstanceOf(ReadModelStateException.class);
        assertThatThrownBy(() -> readModels.switchTo("accounts", 3)).isInstanceOf(ReadModelStateException.class);
        assertThatThrownBy(() -> readModels.rebuild("nope", RebuildOptions.defaults(), p -> { }))
                .isInstanceOf(ReadModelStateException.class);
        assertThat(world.readModelRows("accounts", 1)).isEqualTo(9);
        assertThat(readModels.status("accounts").versions()).extracting(ReadModelStatus.Version::version)
                .containsExactly(1, 2);
    }

    @Test
    void a_building_version_of_other_projection_code_is_not_resumed_and_dropping_it_abandons_it() {
        world.writeHistory(0, 6);
        DynamoDbReadModels v1Code = world.readModels(Clock.systemUTC()).build();
        assertThatThrownBy(() -> v1Code.rebuild("accounts", new RebuildOptions(1, 4), p -> {
            throw new IllegalStateException("stopped");
        })).hasMessage("stopped");
        var changed = dev.nosqles.projection.Projection.builder("accounts", AccountRow.class, AccountRow::accountId)
                .version(2).index("by-owner", AccountRow::owner, AccountRow::accountId)
                .on(new dev.nosqles.testsupport.BankAccount(), AccountsWorld::project).build();
        DynamoDbReadModels v2Code = world.readModels(Clock.systemUTC()).projections(List.of(changed)).build();

        // the BUILDING version 1 was built by code version 1: code version 2 does not resume it
        assertThatThrownBy(() -> v2Code.rebuild("accounts", new RebuildOptions(1, 4), p -> { }))
                .isInstanceOfSatisfying(ReadModelStateException.class, e -> assertThat(e.version()).isEqualTo(1));
        assertThat(world.readModelRows("accounts", 1)).isPositive();

        // dropping it abandons it (rows, checkpoints, progress gone); the next rebuild builds version 2 from scratch
        v2Code.drop("accounts", 1);
        assertThat(world.readModelRows("accounts", 1)).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.checkpointName("accounts", 1))).isZero();
        assertThat(world.checkpointItems(ReadModelRegistry.progressName("accounts", 1))).isZero();
        ReadModelStatus status = v2Code.rebuild("accounts", new RebuildOptions(2, 4), p -> { });
        assertThat(status.versions()).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo(2);
            assertThat(v.projectionVersion()).isEqualTo(2);
            assertThat(v.state()).isEqualTo(State.READY);
            assertThat(v.rebuiltEvents()).isEqualTo(30);
        });
        assertThat(world.readModelRows("accounts", 2)).isEqualTo(6);
    }

    @Test
    void a_rebuild_whose_version_is_dropped_meanwhile_stops_at_its_next_page() {
        world.writeHistory(0, 6);
        DynamoDbReadModels operator = world.readModels(Clock.systemUTC()).build();
        DynamoDbReadModels rebuilder = world.readModels(Clock.systemUTC()).build();
        AtomicInteger pages = new AtomicInteger();

        assertThatThrownBy(() -> rebuilder.rebuild("accounts", new RebuildOptions(1, 4), p -> {
            if (pages.incrementAndGet() == 1) {
                operator.drop("accounts", p.version()); // a BUILDING version may be dropped
            }
        })).isInstanceOfSatisfying(ReadModelStateException.class, e -> assertThat(e.version()).isEqualTo(1));

        assertThat(pages.get()).isEqualTo(1);
        assertThat(operator.status("accounts").versions()).isEmpty();
    }

    @Test
    void registry_and_progress_writes_whose_responses_are_lost_and_retried_by_the_sdk_count_once() {
        // given a client that loses the answer of every other UpdateItem and PutItem attempt after it landed: the
        // SDK retries each first attempt once
        AtomicInteger attempts = new AtomicInteger();
        var lost = dev.nosqles.testsupport.LostResponseInterceptor.ofFirst(Integer.MAX_VALUE,
                r -> (r instanceof UpdateItemRequest || r instanceof PutItemRequest && ((PutItemRequest) r)
                        .item().get("subscriber").s().equals(ReadModelRegistry.SUBSCRIBER))
                        && attempts.incrementAndGet() % 2 == 1);
        world.writeHistory(0, 6);
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(lost)).build();
        world.feed(readModels, world.allCommitItems()); // registers version 1 SERVING

        ReadModelStatus rebuilt = readModels.rebuild("accounts", new RebuildOptions(2, 4), p -> { });
        readModels.switchTo("accounts", 2);
        readModels.drop("accounts", 1);

        assertThat(lost.injected()).isGreaterThan(8);
        assertThat(rebuilt.versions()).extracting(ReadModelStatus.Version::version, ReadModelStatus.Version::state,
                ReadModelStatus.Version::rebuiltEvents).containsExactly(tuple(1, State.SERVING, 0L),
                tuple(2, State.READY, 30L));
        ReadModelStatus after = readModels.status("accounts");
        assertThat(after.servingVersion()).isEqualTo(2);
        assertThat(after.versions()).extracting(ReadModelStatus.Version::version).containsExactly(2);
        var progress = world.client.query(b -> b.tableName(world.checkpointsTable).consistentRead(true)
                .keyConditionExpression("#p = :p").expressionAttributeNames(java.util.Map.of("#p", "subscriber"))
                .expressionAttributeValues(java.util.Map.of(":p", software.amazon.awssdk.services.dynamodb.model
                        .AttributeValue.fromS(ReadModelRegistry.progressName("accounts", 2))))).items();
        assertThat(progress.stream().mapToLong(i -> Long.parseLong(i.get("scanned").n())).sum()).isEqualTo(24);
        assertThat(progress.stream().mapToLong(i -> Long.parseLong(i.get("events").n())).sum()).isEqualTo(30);
    }

    @Test
    void a_batch_reads_the_registry_of_all_read_models_with_one_request_and_records_freshness_with_one_write_each() {
        java.util.Map<String, AtomicInteger> requests = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutionInterceptor count = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                requests.computeIfAbsent(context.request().getClass().getSimpleName(), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        };
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(count))
                .projections(List.of(world.projection, world.projection("savings"), world.projection("loans")))
                .build();
        readModels.subscribers(); // registers the three
        requests.clear();

        List<String> names = names(readModels.subscribers());
        readModels.recordFed(Instant.now());

        assertThat(names).containsExactly("read-model.accounts.1", "read-model.savings.1", "read-model.loans.1");
        assertThat(requests).containsOnlyKeys("BatchGetItemRequest", "UpdateItemRequest");
        assertThat(requests.get("BatchGetItemRequest")).hasValue(1);
        assertThat(requests.get("UpdateItemRequest")).hasValue(3);
    }

    @Test
    void a_batch_of_types_no_read_model_handles_costs_the_read_models_no_request() {
        java.util.Map<String, AtomicInteger> requests = countedRequests();
        DynamoDbReadModels readModels = world.readModels(Clock.systemUTC(), AccountsWorld.clientWith(counting(requests)))
                .projections(List.of(world.projection, world.projection("savings"))).build();
        readModels.subscribers(java.util.Set.of("Account")); // registers both
        requests.clear();

        List<Subscriber> none = readModels.subscribers(java.util.Set.of("CreateOrderSaga", "Customer"));
        readModels.recordFed(Instant.now(), java.util.Set.of("CreateOrderSaga", "Customer"));

        assertThat(none).isEmpty();
        assertThat(requests).isEmpty();
        // a batch with an Account commit among others: one registry read, one freshness write per read model
        assertThat(names(readModels.subscribers(java.util.Set.of("Account", "Customer"))))
                .containsExactly("read-model.accounts.1", "read-model.savings.1");
        readModels.recordFed(Instant.now(), java.util.Set.of("Account", "Customer"));
        assertThat(requests).containsOnlyKeys("BatchGetItemRequest", "UpdateItemRequest");
        assertThat(requests.get("BatchGetItemRequest")).hasValue(1);
        assertThat(requests.get("UpdateItemRequest")).hasValue(2);
    }

    @Test
    void a_fed_batch_costs_one_write_when_this_process_knows_the_lag_that_stands_and_two_when_another_raised_it() {
        MutableClock clock = new MutableClock(T0);
        java.util.Map<String, AtomicInteger> requests = countedRequests();
        DynamoDbReadModels shardA = world.readModels(clock, AccountsWorld.clientWith(counting(requests))).build();
        DynamoDbReadModels shardB = world.readModels(clock, AccountsWorld.clientWith(counting(requests))).build();
        shardA.subscribers(); // registers version 1
        shardA.recordFed(T0.minusSeconds(40));
        requests.clear();

        // a smaller lag within the window: lastFedAt alone, without first trying the refused conditional write
        clock.advance(Duration.ofSeconds(1));
        shardA.recordFed(clock.instant().minusMillis(100));
        assertThat(requests.get("UpdateItemRequest")).hasValue(1);
        assertThat(shardA.status("accounts").serving().orElseThrow().lag()).contains(Duration.ofSeconds(40));
        assertThat(shardA.status("accounts").serving().orElseThrow().lastFedAt()).contains(clock.instant());

        // another process records a larger lag; this one learns it from the refusal of its next lag, once
        shardB.recordFed(clock.instant().minusSeconds(50));
        requests.clear();
        shardA.recordFed(clock.instant().minusSeconds(45));
        assertThat(requests.get("UpdateItemRequest")).hasValue(2);
        requests.clear();
        shardA.recordFed(clock.instant().minusSeconds(47));
        assertThat(requests.get("UpdateItemRequest")).hasValue(1);
        assertThat(shardA.status("accounts").serving().orElseThrow().lag()).contains(Duration.ofSeconds(50));

        // after the window, a small lag is recorded with one write
        clock.advance(ReadModelRegistry.LAG_WINDOW.plusSeconds(1));
        requests.clear();
        shardA.recordFed(clock.instant().minusMillis(200));
        assertThat(requests.get("UpdateItemRequest")).hasValue(1);
        assertThat(shardA.status("accounts").serving().orElseThrow().lag()).contains(Duration.ofMillis(200));
    }

    private static java.util.Map<String, AtomicInteger> countedRequests() {
        return new java.util.concurrent.ConcurrentHashMap<>();
    }

    private static ExecutionInterceptor counting(java.util.Map<String, AtomicInteger> requests) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                requests.computeIfAbsent(context.request().getClass().getSimpleName(), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        };
    }

    @Test
    void each_batch_records_when_it_fed_and_its_lag_which_pages_and_status_report() {
        MutableClock clock = new MutableClock(T0);
        world.writeHistory(0, 2);
        DynamoDbReadModels readModels = world.readModels(clock).build();
        PageRequest first = new PageRequest(10, Optional.empty(), "tester", false);
        assertThat(readModels.list()).singleElement().satisfies(s -> {
            assertThat(s.servingVersion()).isZero();
            assertThat(s.versions()).isEmpty();
        });

        readModels.subscribers(); // the first batch registers version 1
        clock.advance(Duration.ofSeconds(5));
        readModels.recordFed(T0.plusMillis(3_500));

        ReadModelStatus.Version serving = readModels.status("accounts").serving().orElseThrow();
        assertThat(serving.lastFedAt()).contains(T0.plusSeconds(5));
        assertThat(serving.lag()).contains(Duration.ofMillis(1_500));
        Page<AccountRow> page = readModels.query(world.projection, "by-owner", "owner-0", first);
        assertThat(page.freshness().lastFedAt()).contains(T0.plusSeconds(5));
        assertThat(page.freshness().lag()).contains(Duration.ofMillis(1_500));
    }

    @Test
    void a_fresh_shards_small_lag_does_not_hide_a_large_lag_recorded_within_the_window_but_does_after_it() {
        MutableClock clock = new MutableClock(T0);
        world.writeHistory(0, 2);
        DynamoDbReadModels readModels = world.readModels(clock).build();
        readModels.subscribers(); // the first batch registers version 1

        // given a lagging shard's batch: its newest commit is 40 s old
        readModels.recordFed(T0.minusSeconds(40));
        // when a fresh shard's batch, 10 s later, is 100 ms behind
        clock.advance(Duration.ofSeconds(10));
        readModels.recordFed(clock.instant().minusMillis(100));

        // then the worst lag of the window stands, and the read model was fed just now
        ReadModelStatus.Version serving = readModels.status("accounts").serving().orElseThrow();
        assertThat(serving.lag()).contains(Duration.ofSeconds(40));
        assertThat(serving.lastFedAt()).contains(T0.plusSeconds(10));
        // a larger lag within the window replaces it
        clock.advance(Duration.ofSeconds(1));
        readModels.recordFed(clock.instant().minusSeconds(45));
        assertThat(readModels.status("accounts").serving().orElseThrow().lag()).contains(Duration.ofSeconds(45));

        // when the window has passed since the worst lag was recorded, a small lag replaces it
        clock.advance(ReadModelRegistry.LAG_WINDOW.plusSeconds(1));
        readModels.recordFed(clock.instant().minusMillis(100));
        serving = readModels.status("accounts").serving().orElseThrow();
        assertThat(serving.lag()).contains(Duration.ofMillis(100));
        assertThat(serving.lastFedAt()).contains(clock.instant());
    }

    @Test
    void the_builder_refuses_missing_parts_duplicate_projections_a_short_cursor_key_and_bad_rebuild_options() {
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).client(null).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("client");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).checkpointsTable(null).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("checkpointsTable");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).readModelsTable(null).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("readModelsTable");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).eventStore(null).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("eventStore");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).clock(null).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("clock");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).projections(List.of()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("projection");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC())
                .projections(List.of(world.projection, world.projection("accounts"))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unique");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).cursorKey(new byte[31]).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> world.readModels(Clock.systemUTC()).dropGrace(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dropGrace");
        assertThatThrownBy(() -> new RebuildOptions(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RebuildOptions(4, 0)).isInstanceOf(IllegalArgumentException.class);
        // the events table defaults to the DynamoDB event store's
        assertThat(world.readModels(Clock.systemUTC()).build().list()).hasSize(1);
    }
}
