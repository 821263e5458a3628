package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.time.Instant;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Snapshots on DynamoDB: load = latest snapshot + later events only; a snapshot of another schema is ignored. */
class SnapshotTest {
    private static final CapacityMeter METER = new CapacityMeter();
    private static DynamoDbClient client;
    private static DynamoDbEventStore events;
    private static DynamoDbSnapshotStore snapshots;
    private static String snapshotsTable;

    @BeforeAll
    static void tables() {
        client = TestTables.client(METER);
        events = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "snap")).build();
        snapshotsTable = TestTables.newSnapshotsTable(client, "snap");
        snapshots = DynamoDbSnapshotStore.builder().client(client).tableName(snapshotsTable).build();
    }

    private static AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> repo(int every,
                                                                                                         int schema) {
        return AggregateRepository.builder(new BankAccount(every, schema)).eventStore(events).snapshotStore(snapshots)
                .build();
    }

    @Test
    void an_aggregate_of_a_thousand_events_loads_from_its_snapshot_and_at_most_99_later_events() {
        var accounts = repo(100, 1);
        // versions 1..999 written straight to the store, one event per commit, to keep the test fast;
        // the repository then takes version 1,000 and, crossing a multiple of 100, snapshots it
        StreamId stream = StreamId.of("Account", "big");
        EventCodec<BankAccount.Event> codec = EventCodec.of(new BankAccount());
        ExpectedVersion v = events.append(stream, ExpectedVersion.noStream(),
                List.of(codec.encode(UUID.randomUUID(), new BankAccount.Opened("ann"))), EventMetadata.empty())
                .nextExpectedVersion();
        long expectedBalance = 0;
        for (int i = 2; i <= 999; i++) {
            v = events.append(stream, v, List.of(codec.encode(UUID.randomUUID(), new BankAccount.Deposited(i, "EUR"))),
                    EventMetadata.empty()).nextExpectedVersion();
            expectedBalance += i;
        }
        assertThat(snapshots.load(stream)).isEmpty();
        accounts.update("big", new BankAccount.Deposit(1_000));
        expectedBalance += 1_000;
        // the snapshot, and one Query that returns the snapshot's own commit (which proves it) and nothing after
        assertLoadReadsAtMost(accounts, 1 + 1, expectedBalance, 1_000);

        for (int i = 1_001; i <= 1_099; i++) {
            accounts.update("big", new BankAccount.Deposit(i));
            expectedBalance += i;
        }
        // the snapshot (1 item), its commit and the 99 events after version 1,000
        assertLoadReadsAtMost(accounts, 1 + 1 + 99, expectedBalance, 1_099);

        Snapshot snapshot = snapshots.load(StreamId.of("Account", "big")).orElseThrow();
        assertThat(snapshot.version()).isEqualTo(1_000);
        assertThat(snapshot.stateType()).isEqualTo("AccountState");
    }

    private static void assertLoadReadsAtMost(
            AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts, long maxItems,
            long balance, long version) {
        CapacityMeter.Usage before = METER.usage();
        AggregateState<BankAccount.State> state = accounts.get("big");
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(state.version()).isEqualTo(version);
        assertThat(state.state().balance()).isEqualTo(balance);
        assertThat(state.state().deposits()).isEqualTo((int) version - 1);
        assertThat(used.itemsRead()).isLessThanOrEqualTo(maxItems);
        assertThat(used.requests(CapacityMeter.Operation.GET_ITEM)).isEqualTo(1);
        assertThat(used.requests(CapacityMeter.Operation.QUERY)).isEqualTo(1);
    }

    @Test
    void a_snapshot_of_another_state_schema_is_ignored_and_all_events_are_replayed() {
        var v1 = repo(5, 1);
        v1.create("evolving", new BankAccount.Open("bob"));
        for (int i = 0; i < 11; i++) {
            v1.update("evolving", new BankAccount.Deposit(1));
        }
        assertThat(snapshots.load(StreamId.of("Account", "evolving")).orElseThrow().schemaVersion()).isEqualTo(1);

        var v2 = repo(5, 2);
        CapacityMeter.Usage before = METER.usage();
        AggregateState<BankAccount.State> state = v2.get("evolving");
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(state.state().balance()).isEqualTo(11);
        assertThat(state.version()).isEqualTo(12);
        assertThat(used.itemsRead()).isEqualTo(1 + 12); // the ignored snapshot and every event
    }

    @Test
    void an_unreadable_snapshot_is_ignored_never_misread() {
        var accounts = repo(3, 1);
        accounts.create("garbled", new BankAccount.Open("cy"));
        accounts.update("garbled", new BankAccount.Deposit(4));
        StreamId id = StreamId.of("Account", "garbled");
        snapshots.save(new Snapshot(id, 2, "AccountState", 1, "{\"balance\":\"not a number\"}", Instant.now(),
                List.of()));

        assertThat(accounts.get("garbled").state()).isEqualTo(new BankAccount.State("cy", 4, 1, true));
    }

    @Test
    void time_travel_uses_the_snapshot_only_when_it_is_not_later_than_asked() {
        var accounts = repo(10, 1);
        accounts.create("travel", new BankAccount.Open("di"));
        for (int i = 0; i < 14; i++) {
            accounts.update("travel", new BankAccount.Deposit(1));
        }
        assertThat(accounts.findAtVersion("travel", 5).orElseThrow().state().balance()).isEqualTo(4);
        assertThat(accounts.findAtVersion("travel", 12).orElseThrow().state().balance()).isEqualTo(11);
        assertThat(accounts.get("travel").state().balance()).isEqualTo(14);
    }

    @Test
    void a_snapshot_ahead_of_the_events_is_ignored_and_appends_continue_at_the_streams_end_without_a_fork() {
        StreamId id = StreamId.of("Account", "restored");
        var before = repo(5, 1);
        before.create("restored", new BankAccount.Open("eve"));
        for (int i = 1; i <= 9; i++) {
            before.update("restored", new BankAccount.Deposit(i));
        }
        assertThat(snapshots.load(id).orElseThrow().version()).isEqualTo(10);

        // the events table restored (point-in-time recovery) to version 7; the snapshots table was not
        DynamoDbEventStore restored = DynamoDbEventStore.builder().client(client)
                .tableName(TestTables.newEventsTable(client, "restored")).build();
        ExpectedVersion v = ExpectedVersion.noStream();
        for (RecordedEvent e : events.read(id, ReadRequest.upTo(7)).events()) {
            v = restored.append(id, v, List.of(new NewEvent(e.eventId(), e.type(), e.schemaVersion(), e.data())),
                    e.metadata()).nextExpectedVersion();
        }
        var after = AggregateRepository.builder(new BankAccount(5, 1)).eventStore(restored).snapshotStore(snapshots)
                .build();

        // 1 + 2 + ... + 6 from the events; the snapshot's 45 is not trusted
        assertThat(after.get("restored")).satisfies(s -> {
            assertThat(s.version()).isEqualTo(7);
            assertThat(s.state().balance()).isEqualTo(21);
        });
        // new commits at versions 8, 9, 10: version 10 now exists again, but it is not the snapshot's commit
        for (int amount : new int[] {100, 200, 300}) {
            after.update("restored", new BankAccount.Deposit(amount));
        }
        AggregateState<BankAccount.State> state = after.get("restored");
        assertThat(state.version()).isEqualTo(10);
        assertThat(state.state().balance()).isEqualTo(21 + 600);
        assertThat(restored.read(id).events()).extracting(RecordedEvent::version)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(after.findAtVersion("restored", 10).orElseThrow().state().balance()).isEqualTo(621);
    }

    @Test
    void a_snapshot_of_the_old_form_beyond_the_streams_end_is_ignored() {
        var accounts = repo(100, 1);
        accounts.create("old-form", new BankAccount.Open("fay"));
        accounts.update("old-form", new BankAccount.Deposit(4));
        snapshots.save(new Snapshot(StreamId.of("Account", "old-form"), 50, "AccountState", 1,
                "{\"owner\":\"fay\",\"balance\":999,\"deposits\":9,\"open\":true}", Instant.now(), List.of()));

        assertThat(accounts.get("old-form")).satisfies(s -> {
            assertThat(s.version()).isEqualTo(2);
            assertThat(s.state().balance()).isEqualTo(4);
        });
        assertThat(accounts.update("old-form", new BankAccount.Deposit(1)).state().version()).isEqualTo(3);
    }

    @Test
    void time_travel_from_a_snapshot_into_a_commit_of_several_events_answers_at_the_commits_boundary() {
        var accounts = repo(3, 1);
        accounts.create("boundary", new BankAccount.Open("gil"));
        accounts.update("boundary", new BankAccount.DepositTwice(1, 2)); // versions 2-3: snapshot at 3
        accounts.update("boundary", new BankAccount.DepositTwice(4, 8)); // versions 4-5
        assertThat(snapshots.load(StreamId.of("Account", "boundary")).orElseThrow().version()).isEqualTo(3);

        assertThat(accounts.findAtVersion("boundary", 4).orElseThrow()).satisfies(s -> {
            assertThat(s.version()).isEqualTo(3);
            assertThat(s.state().balance()).isEqualTo(3);
        });
        assertThat(accounts.findAtVersion("boundary", 5).orElseThrow().state().balance()).isEqualTo(15);
    }

    @Test
    void a_snapshot_item_written_before_windows_were_recorded_is_read_as_the_old_form_and_still_used_when_valid() {
        var accounts = repo(100, 1);
        accounts.create("legacy", new BankAccount.Open("hal"), EventMetadata.empty().withMessageId("l-0"));
        accounts.update("legacy", new BankAccount.Deposit(5), EventMetadata.empty().withMessageId("l-1"));
        accounts.update("legacy", new BankAccount.Deposit(6), EventMetadata.empty().withMessageId("l-2"));
        // the item as the previous version of DynamoDbSnapshotStore wrote it, at version 2
        client.putItem(b -> b.tableName(snapshotsTable).item(java.util.Map.of(
                "streamId", AttributeValue.fromS("Account-legacy"),
                "version", AttributeValue.fromN("2"),
                "stateType", AttributeValue.fromS("AccountState"),
                "schema", AttributeValue.fromN("1"),
                "data", AttributeValue.fromS(
                        "{\"owner\":\"hal\",\"balance\":5,\"deposits\":1,\"open\":true}"),
                "ts", AttributeValue.fromS(Instant.now().toString()),
                "msgs", AttributeValue.fromL(List.of(
                        AttributeValue.fromS("l-0"),
                        AttributeValue.fromS("l-1"))))));

        Snapshot old = snapshots.load(StreamId.of("Account", "legacy")).orElseThrow();
        assertThat(old.recordsItsCommit()).isFalse();
        assertThat(old.recentMessageIds()).containsExactly("l-0", "l-1");
        // its ids may cover any span before its version: nothing before it is assumed covered
        assertThat(old.messages().evictedVersion()).isEqualTo(2);

        CapacityMeter.Usage before = METER.usage();
        assertThat(accounts.get("legacy").state().balance()).isEqualTo(11);
        CapacityMeter.Usage used = METER.usage().minus(before);
        // the snapshot and the one event after it: the snapshot was used, verified by the read itself
        assertThat(used.itemsRead()).isEqualTo(1 + 1);
        assertThat(used.requests(CapacityMeter.Operation.QUERY)).isEqualTo(1);
        assertThat(accounts.update("legacy", new BankAccount.Deposit(5), EventMetadata.empty().withMessageId("l-1"))
                .duplicate()).isTrue();
    }
}
