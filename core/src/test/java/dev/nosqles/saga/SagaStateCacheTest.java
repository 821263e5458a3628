package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySagaDeadlines;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SagaManager.Builder#stateCache}: the process that takes a saga's replies in process (ADR 0013) decides each
 * step on the saga's state in hand, without reading the saga again; a saga moved on elsewhere is read again.
 */
class SagaStateCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final AtomicInteger sagaReads = new AtomicInteger();
    /** The store as the sagas' repository sees it: counts the reads of saga streams. */
    private final EventStore counting = new EventStore() {
        @Override
        public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                                   dev.nosqles.store.EventMetadata metadata) {
            return store.append(streamId, expected, events, metadata);
        }

        @Override
        public StreamSlice read(StreamId streamId, ReadRequest request) {
            if (streamId.type().equals(Transfer.definition().type())) {
                sagaReads.incrementAndGet();
            }
            return store.read(streamId, request);
        }
    };
    private final RecordingSender queues = new RecordingSender();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, queues).build();
    private final List<StreamId> streams = new ArrayList<>(Transfer.openAccounts(accounts));

    private SagaManager<Transfer.Data> sagas(int cache) {
        return SagaManager.builder(Transfer.definition()).eventStore(counting).snapshotStore(SnapshotStore.none())
                .sender(queues).deadlines(new InMemorySagaDeadlines()).clock(clock).stateCache(cache).build();
    }

    /** Stream -> command queue -> participant -> reply in process, until nothing moves; the saga reads it made. */
    private int settle(SagaManager<Transfer.Data> sagas) {
        Feed feed = new Feed(store, new EventDispatcher(List.of(sagas.commandSender(),
                SagaParticipant.replySender("replies", sagas.inProcessReplies(queues), new BankAccount().type())),
                new InMemoryCheckpointStore(), store));
        int before = sagaReads.get();
        while (feed.pump(streams) > 0 || !queues.commands.isEmpty()) {
            List<CommandMessage> commands = List.copyOf(queues.commands);
            queues.commands.clear();
            commands.forEach(participant::handle);
        }
        return sagaReads.get() - before;
    }

    @Test
    void a_saga_whose_state_is_in_hand_takes_every_reply_without_reading_itself_again() {
        SagaManager<Transfer.Data> sagas = sagas(100);
        String sagaId = Transfer.start(sagas, "event-1", streams);

        int reads = settle(sagas);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(reads).as("reads of the saga while its replies were handled").isZero();
        assertThat(queues.replies).isEmpty();
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
    }

    @Test
    void without_the_cache_every_reply_reads_the_saga() {
        SagaManager<Transfer.Data> sagas = sagas(0);
        String sagaId = Transfer.start(sagas, "event-1", streams);

        int reads = settle(sagas);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(reads).isPositive();
    }

    @Test
    void a_saga_another_process_moved_on_is_read_again_and_each_step_still_happens_once() {
        SagaManager<Transfer.Data> cached = sagas(100);
        String sagaId = Transfer.start(cached, "event-1", streams);
        // another process (no cache) takes the saga's first reply from its queue: the cached state is behind
        SagaManager<Transfer.Data> elsewhere = sagas(0);
        Feed commands = new Feed(store, new EventDispatcher(List.of(cached.commandSender()),
                new InMemoryCheckpointStore(), store));
        commands.pump(streams);
        participant.handle(queues.commands.removeFirst());
        Feed repliesElsewhere = new Feed(store, new EventDispatcher(List.of(SagaParticipant.replySender(
                "replies-elsewhere", elsewhere.inProcessReplies(queues), new BankAccount().type())),
                new InMemoryCheckpointStore(), store));
        repliesElsewhere.pump(streams);
        long moved = elsewhere.find(sagaId).orElseThrow().version();

        int reads = settle(cached);

        assertThat(cached.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(cached.find(sagaId).orElseThrow().version()).isGreaterThan(moved);
        assertThat(reads).as("the stale state read again").isPositive();
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
    }

    @Test
    void a_negative_cache_size_is_refused() {
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).stateCache(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
