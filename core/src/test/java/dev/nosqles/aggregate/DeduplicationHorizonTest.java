package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.FailingAfterAppendStore;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Deduplication is bounded by time, not by a count: a message redelivered within the horizon of when it was
 * first sent is recognised however many messages came between, at no extra cost on the normal path.
 */
class DeduplicationHorizonTest {
    private final MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");

    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts(
            EventStore events, SnapshotStore snapshots) {
        return AggregateRepository.builder(new BankAccount(10, 1)).eventStore(events).snapshotStore(snapshots)
                .clock(clock).deduplicationWindow(100).build();
    }

    private static EventMetadata message(String id, Instant sentAt) {
        return EventMetadata.empty().withMessageId(id).withMessageSentAt(sentAt);
    }

    /** Opens the account and sends it {@code messages} deposits of 1, one a minute; returns m-0's sent time. */
    private Instant busyAccount(AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> repo,
                                String id, int messages) {
        repo.create(id, new BankAccount.Open("ann"), message("open-" + id, clock.instant()));
        Instant first = clock.instant();
        for (int i = 0; i < messages; i++) {
            repo.update(id, new Deposit(1), message(id + "-m-" + i, clock.instant()));
            clock.advance(Duration.ofMinutes(1));
        }
        return first;
    }

    @Test
    void a_message_redelivered_days_later_after_150_others_is_recognised_with_one_query_and_nothing_written() {
        CapacityMeter meter = new CapacityMeter();
        DynamoDbClient client = TestTables.client(meter);
        DynamoDbEventStore events = DynamoDbEventStore.builder().client(client).clock(clock)
                .tableName(TestTables.newEventsTable(client, "horizon")).build();
        DynamoDbSnapshotStore snapshots = DynamoDbSnapshotStore.builder().client(client)
                .tableName(TestTables.newSnapshotsTable(client, "horizon")).build();
        var repo = accounts(events, snapshots);
        Instant firstSent = busyAccount(repo, "busy", 155); // versions 1..156, snapshot at 150
        Snapshot snapshot = snapshots.load(StreamId.of("Account", "busy")).orElseThrow();
        assertThat(snapshot.version()).isEqualTo(150);
        assertThat(snapshot.recentMessageIds()).hasSize(100).doesNotContain("busy-m-0");
        assertThat(snapshot.messages().evictedVersion()).isEqualTo(50);
        clock.advance(Duration.ofDays(3)); // a DLQ redrive, days later

        CapacityMeter.Usage before = meter.usage();
        CommandResult<BankAccount.State, BankAccount.Event> again = repo.update("busy", new Deposit(1),
                message("busy-m-0", firstSent));
        CapacityMeter.Usage redelivery = meter.usage().minus(before);

        assertThat(again.duplicate()).isTrue();
        assertThat(repo.get("busy").state().balance()).isEqualTo(155);
        assertThat(events.read(StreamId.of("Account", "busy")).events()).hasSize(156);
        assertThat(redelivery.requests(Operation.PUT_ITEM)).isZero();
        assertThat(redelivery.writeUnits()).isZero();
        // the snapshot, the events after it, and one backward Query for the old message
        assertThat(redelivery.requests(Operation.GET_ITEM)).isEqualTo(1);
        assertThat(redelivery.requests(Operation.QUERY)).isEqualTo(1 + 1);
        assertThat(redelivery.totalRequests()).isEqualTo(3);

        // the normal path: a new message costs the load and exactly one PutItem of 1 WCU, nothing more
        before = meter.usage();
        CommandResult<BankAccount.State, BankAccount.Event> fresh = repo.update("busy", new Deposit(1),
                message("busy-m-new", clock.instant()));
        CapacityMeter.Usage normal = meter.usage().minus(before);

        assertThat(fresh.duplicate()).isFalse();
        assertThat(fresh.state().version()).isEqualTo(157);
        assertThat(normal.requests(Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(normal.writeUnits()).isEqualTo(1);
        assertThat(normal.requests(Operation.GET_ITEM)).isEqualTo(1);
        assertThat(normal.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(normal.totalRequests()).isEqualTo(3);

        // and a command without a message id (the repository generates one): the same
        before = meter.usage();
        repo.update("busy", new Deposit(1));
        CapacityMeter.Usage anonymous = meter.usage().minus(before);
        assertThat(anonymous.totalRequests()).isEqualTo(3);
        assertThat(anonymous.writeUnits()).isEqualTo(1);
    }

    @Test
    void the_backward_search_pages_through_many_commits_and_stops_at_the_messages_sent_time() {
        CapacityMeter meter = new CapacityMeter();
        DynamoDbClient client = TestTables.client(meter);
        DynamoDbEventStore events = DynamoDbEventStore.builder().client(client).clock(clock)
                .tableName(TestTables.newEventsTable(client, "paging")).build();
        var repo = AggregateRepository.builder(new BankAccount(10, 1)).eventStore(events)
                .snapshotStore(DynamoDbSnapshotStore.builder().client(client)
                        .tableName(TestTables.newSnapshotsTable(client, "paging")).build())
                .clock(clock).deduplicationWindow(10).build();
        Instant firstSent = busyAccount(repo, "paging", 230); // one a minute; the window covers the last 10

        // m-0 is 220 commits before what the window covers: the search reads back page after page of 100
        CapacityMeter.Usage before = meter.usage();
        assertThat(repo.update("paging", new Deposit(1), message("paging-m-0", firstSent)).duplicate()).isTrue();
        CapacityMeter.Usage old = meter.usage().minus(before);
        assertThat(old.requests(Operation.QUERY)).isEqualTo(1 + 3);

        // a new message sent 30 minutes ago: the search stops at the commits written before it (minus 5 minutes)
        before = meter.usage();
        assertThat(repo.update("paging", new Deposit(1), message("paging-late", clock.instant().minus(
                Duration.ofMinutes(30)))).duplicate()).isFalse();
        CapacityMeter.Usage recent = meter.usage().minus(before);
        assertThat(recent.requests(Operation.QUERY)).isEqualTo(1 + 1);
        assertThat(recent.requests(Operation.PUT_ITEM)).isEqualTo(1);
        // at most the 100 commits of the one page, not the 230 of the stream
        assertThat(recent.itemsRead()).isLessThanOrEqualTo(1 + 10 + 100);
        assertThat(repo.get("paging").state().balance()).isEqualTo(231);
    }

    @Test
    void in_memory_too_a_message_outside_the_window_is_recognised() {
        InMemoryEventStore events = new InMemoryEventStore(clock);
        var repo = accounts(events, new InMemorySnapshotStore());
        Instant firstSent = busyAccount(repo, "mem", 120);
        clock.advance(Duration.ofDays(14));

        assertThat(repo.update("mem", new Deposit(1), message("mem-m-0", firstSent)).duplicate()).isTrue();
        assertThat(repo.update("mem", new Deposit(1), message("mem-m-1", firstSent.plusSeconds(60))).duplicate())
                .isTrue();
        assertThat(repo.get("mem").state().balance()).isEqualTo(120);
    }

    @Test
    void a_store_without_its_own_search_uses_the_default_which_finds_the_same_and_stops_at_the_sent_time() {
        InMemoryEventStore memory = new InMemoryEventStore(clock);
        EventStore plain = new FailingAfterAppendStore(memory); // append and read only
        var repo = accounts(plain, new InMemorySnapshotStore());
        Instant firstSent = busyAccount(repo, "plain", 120);
        StreamId stream = StreamId.of("Account", "plain");

        assertThat(plain.findMessageCommit(stream, "plain-m-0", 50, firstSent.minusSeconds(1)))
                .isEqualTo(memory.findMessageCommit(stream, "plain-m-0", 50, firstSent.minusSeconds(1)))
                .hasValueSatisfying(c -> assertThat(c.firstVersion()).isEqualTo(2));
        // written before the instant: not searched
        assertThat(plain.findMessageCommit(stream, "plain-m-0", 50, firstSent.plusSeconds(1))).isEmpty();
        assertThat(memory.findMessageCommit(stream, "plain-m-0", 50, firstSent.plusSeconds(1))).isEmpty();
        // above the version asked: not searched
        assertThat(plain.findMessageCommit(stream, "plain-m-60", 50, firstSent)).isEmpty();
        assertThat(memory.findMessageCommit(stream, "plain-m-60", 50, firstSent)).isEmpty();
        assertThat(repo.update("plain", new Deposit(1), message("plain-m-0", firstSent)).duplicate()).isTrue();
    }

    @Test
    void a_message_without_its_sent_time_is_searched_for_back_to_the_start_of_the_horizon() {
        InMemoryEventStore events = new InMemoryEventStore(clock);
        var repo = accounts(events, new InMemorySnapshotStore());
        busyAccount(repo, "unknown", 120);
        clock.advance(Duration.ofDays(10));

        assertThat(repo.update("unknown", new Deposit(1), EventMetadata.empty().withMessageId("unknown-m-3"))
                .duplicate()).isTrue();
        assertThat(repo.update("unknown", new Deposit(1), EventMetadata.empty().withMessageId("unknown-m-new"))
                .duplicate()).isFalse();
        assertThat(repo.get("unknown").state().balance()).isEqualTo(121);
    }

    @Test
    void a_message_sent_before_the_horizon_that_is_not_remembered_is_refused_and_nothing_is_written() {
        InMemoryEventStore events = new InMemoryEventStore(clock);
        var repo = accounts(events, new InMemorySnapshotStore());
        Instant firstSent = busyAccount(repo, "old", 120);
        clock.advance(Duration.ofDays(16));

        assertThatThrownBy(() -> repo.update("old", new Deposit(1), message("old-m-0", firstSent)))
                .isInstanceOfSatisfying(MessageTooOldException.class, e -> {
                    assertThat(e.streamId()).isEqualTo(StreamId.of("Account", "old"));
                    assertThat(e.messageId()).isEqualTo("old-m-0");
                    assertThat(e.sentAt()).isEqualTo(firstSent);
                    assertThat(e.horizon()).isEqualTo(Duration.ofDays(15));
                });
        assertThatThrownBy(() -> repo.update("old", new Deposit(1), message("never-seen", firstSent)))
                .isInstanceOf(MessageTooOldException.class);
        // a remembered id is still recognised, however old
        assertThat(repo.update("old", new Deposit(1), message("old-m-119", firstSent)).duplicate()).isTrue();
        assertThat(events.read(StreamId.of("Account", "old")).events()).hasSize(121);
    }

    @Test
    void the_horizon_and_the_clock_skew_allowance_are_configurable() {
        InMemoryEventStore events = new InMemoryEventStore(clock);
        var repo = AggregateRepository.builder(new BankAccount(10, 1)).eventStore(events)
                .snapshotStore(new InMemorySnapshotStore()).clock(clock).deduplicationWindow(100)
                .deduplicationHorizon(Duration.ofDays(2)).clockSkewAllowance(Duration.ZERO).build();
        Instant firstSent = busyAccount(repo, "short", 120);
        clock.advance(Duration.ofDays(1));
        assertThat(repo.update("short", new Deposit(1), message("short-m-0", firstSent)).duplicate()).isTrue();
        clock.advance(Duration.ofDays(1));
        assertThatThrownBy(() -> repo.update("short", new Deposit(1), message("short-m-0", firstSent)))
                .isInstanceOf(MessageTooOldException.class);
        assertThatThrownBy(() -> AggregateRepository.builder(new BankAccount()).eventStore(events)
                .deduplicationHorizon(Duration.ZERO).build()).isInstanceOf(IllegalStateException.class);
    }
}
