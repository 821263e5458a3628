package dev.nosqles.saga;

import dev.nosqles.memory.InMemorySagaDeadlines;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.internal.Json;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One request, one correlation id (ADR 0005): everything a saga does, and everything its participants do for it,
 * carries the correlation id of the event that started the saga; the saga's id stays a field of its own.
 */
class SagaCorrelationTest {
    private static final String REQUEST = "req-42";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(sender).deadlines(deadlines).clock(clock).build();
    private final SagaSweeper sweeper = new SagaSweeper(deadlines, List.of(sagas), clock);
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).eventStore(store).build();
    private final Feed feed = new Feed(store, new EventDispatcher(
            List.of(sagas.commandSender(), participant.replySender()), new InMemoryCheckpointStore(), store));
    private final List<StreamId> streams = new ArrayList<>();
    /** Every message sent, kept after the handlers took them. */
    private final List<SagaMessage> sent = new ArrayList<>();

    @BeforeEach
    void accounts() {
        for (String id : List.of("a", "b")) {
            accounts.create(id, new BankAccount.Open(id));
        }
        accounts.update("a", new BankAccount.Deposit(10));
        streams.addAll(List.of(accounts.streamId("a"), accounts.streamId("b"), accounts.streamId("audit")));
    }

    private String start(String event, int amount) {
        String sagaId = sagas.start(event, new Transfer.Data("a", "b", amount, null),
                EventMetadata.empty().withCorrelationId(REQUEST).withPrincipal("ann")).saga().sagaId();
        streams.add(sagas.repository().streamId(sagaId));
        return sagaId;
    }

    /** Stream -> queues -> handlers until nothing moves; every message is handled twice (a redelivery). */
    private void settle(Predicate<CommandMessage> lose) {
        while (feed.pump(streams) > 0 || !sender.commands.isEmpty() || !sender.replies.isEmpty()) {
            List<CommandMessage> commands = List.copyOf(sender.commands);
            sender.commands.clear();
            sent.addAll(commands);
            for (CommandMessage c : commands) {
                if (!lose.test(c)) {
                    participant.handle(c);
                    participant.handle(c);
                }
            }
            List<ReplyMessage> replies = List.copyOf(sender.replies);
            sender.replies.clear();
            sent.addAll(replies);
            for (ReplyMessage r : replies) {
                sagas.handle(r);
                sagas.handle(r);
            }
        }
        sent.addAll(sender.deadlines);
        sender.deadlines.clear();
    }

    /** The metadata of every commit the saga caused: its own and its participants' (principal saga:...). */
    private List<EventMetadata> sagaCommits(String sagaId) {
        List<EventMetadata> all = new ArrayList<>(sagas.repository().history(sagaId).stream()
                .map(EventEnvelope::metadata).toList());
        for (String account : List.of("a", "b", "audit")) {
            if (accounts.find(account).isPresent()) {
                store.read(accounts.streamId(account), ReadRequest.from(1)).events().stream()
                        .map(RecordedEvent::metadata).filter(m -> m.principal().startsWith("saga:"))
                        .forEach(all::add);
            }
        }
        return all;
    }

    /** The body as a message queued before messages carried a correlation id. */
    private static SagaMessage oldFormat(SagaMessage message) throws Exception {
        ObjectNode body = (ObjectNode) Json.mapper().readTree(message.toJson());
        assertThat(body.remove("correlationId")).isNotNull();
        return SagaMessage.fromJson(body.toString());
    }

    @Test
    void a_sagas_commands_participant_events_replies_and_deadlines_carry_the_triggering_events_correlation_id() {
        accounts.create("audit", new BankAccount.Open("audit"));
        String sagaId = start("event-1", 5);
        assertThat(deadlines.all()).singleElement()
                .satisfies(e -> assertThat(e.correlationId()).isEqualTo(REQUEST));

        settle(c -> false);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(sent).hasAtLeastOneElementOfType(CommandMessage.class)
                .hasAtLeastOneElementOfType(ReplyMessage.class)
                .hasAtLeastOneElementOfType(SagaMessage.DeadlineMessage.class)
                .allSatisfy(m -> {
                    assertThat(m.correlationId()).isEqualTo(REQUEST);
                    assertThat(m.sagaId()).isEqualTo(sagaId);
                });
        List<EventMetadata> commits = sagaCommits(sagaId);
        assertThat(commits).hasSizeGreaterThan(6) // the saga's start, its replies, three participants' commits
                .allSatisfy(m -> assertThat(m.correlationId()).isEqualTo(REQUEST));
    }

    @Test
    void a_compensated_saga_whose_last_target_does_not_exist_keeps_the_correlation_id_in_its_direct_reply() {
        String sagaId = start("event-2", 5); // no audit account: a failure reply is sent at once, then the undo

        settle(c -> false);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sent).filteredOn(ReplyMessage.class::isInstance).map(ReplyMessage.class::cast)
                .anySatisfy(r -> assertThat(r.reason()).isEqualTo(SagaParticipant.TARGET_NOT_FOUND))
                .allSatisfy(r -> assertThat(r.correlationId()).isEqualTo(REQUEST));
        assertThat(sagaCommits(sagaId)).allSatisfy(m -> assertThat(m.correlationId()).isEqualTo(REQUEST));
    }

    @Test
    void the_sweepers_actions_and_the_commands_they_cause_carry_the_correlation_id_kept_in_the_index() {
        accounts.create("audit", new BankAccount.Open("audit"));
        String sagaId = start("event-3", 5);
        settle(c -> c.target().equals("audit")); // the audit command dies in a DLQ
        sent.clear();

        clock.advance(SagaDefinition.DEFAULT_DEADLINE);
        assertThat(sweeper.sweep().handled()).isEqualTo(1);
        settle(c -> false);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(sagas.repository().history(sagaId)).map(EventEnvelope::metadata)
                .filteredOn(m -> m.principal().equals(SagaManager.SWEEPER_PRINCIPAL)).isNotEmpty()
                .allSatisfy(m -> assertThat(m.correlationId()).isEqualTo(REQUEST));
        assertThat(sent).filteredOn(CommandMessage.class::isInstance).isNotEmpty()
                .allSatisfy(c -> assertThat(c.correlationId()).isEqualTo(REQUEST));
    }

    @Test
    void an_index_entry_written_before_entries_kept_the_correlation_id_is_acted_on_correlated_by_the_saga_id() {
        String sagaId = start("event-4", 5); // its command was never sent
        SagaDeadlines.Entry current = deadlines.all().get(0);
        deadlines.remove(sagaId, current.version());
        deadlines.put(new SagaDeadlines.Entry(sagaId, current.sagaType(), current.commandMessageId(),
                current.attempt(), current.dueAt(), current.version(), current.sentAt()));

        clock.advance(Duration.ofSeconds(30));
        assertThat(sweeper.sweep().handled()).isEqualTo(1);

        assertThat(sagas.repository().history(sagaId)).map(EventEnvelope::metadata)
                .filteredOn(m -> m.principal().equals(SagaManager.SWEEPER_PRINCIPAL)).isNotEmpty()
                .allSatisfy(m -> assertThat(m.correlationId()).isEqualTo(sagaId));
    }

    @Test
    void a_command_and_a_reply_queued_before_messages_carried_a_correlation_id_still_process() throws Exception {
        accounts.create("audit", new BankAccount.Open("audit"));
        String sagaId = start("event-5", 5);
        feed.pump(streams);
        CommandMessage withdraw = (CommandMessage) oldFormat(sender.commands.remove(0));
        assertThat(withdraw.correlationId()).isEqualTo(sagaId);

        participant.handle(withdraw);
        feed.pump(streams);
        ReplyMessage reply = sender.replies.remove(0);
        assertThat(reply.correlationId()).isEqualTo(sagaId); // what the old command said
        ReplyMessage oldReply = (ReplyMessage) oldFormat(reply);
        assertThat(oldReply.correlationId()).isEqualTo(sagaId);
        assertThat(sagas.handle(oldReply)).hasValueSatisfying(r -> assertThat(r.duplicate()).isFalse());
        settle(c -> false);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
    }

    @Test
    void the_correlation_id_survives_the_wire_and_a_body_without_one_reads_as_the_saga_id() throws Exception {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        List<SagaMessage> messages = List.of(
                new CommandMessage("m1", "TransferSaga", "s1", "saga-replies", "accounts", "a", "Deposit",
                        "{\"amount\":3}", 1, at, REQUEST),
                new ReplyMessage("r1", "TransferSaga", "s1", "saga-replies", "m1", ReplyOutcome.SUCCESS, null, "{}",
                        at, REQUEST),
                new SagaMessage.DeadlineMessage("d1", "TransferSaga", "s1", "saga-replies", "m1",
                        at.plusSeconds(30), at, REQUEST));

        for (SagaMessage message : messages) {
            assertThat(SagaMessage.fromJson(message.toJson())).isEqualTo(message);
            assertThat(message.toJson()).contains("\"correlationId\":\"" + REQUEST + "\"");
            SagaMessage old = oldFormat(message);
            assertThat(old.correlationId()).isEqualTo("s1");
            assertThat(old.messageId()).isEqualTo(message.messageId());
        }
    }
}
