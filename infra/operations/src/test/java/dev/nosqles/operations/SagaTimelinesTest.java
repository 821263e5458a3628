package dev.nosqles.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.saga.Channel;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.saga.SagaSweeper;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Saga timelines on the local AWS, from a real saga: the core's SagaManager and SagaParticipant on DynamoDB, their
 * stream subscribers fed from the events table, messages handed over by the test (which may lose them).
 */
class SagaTimelinesTest {
    private static final LocalAws AWS = LocalAws.shared();
    private static final DynamoDbClient DYNAMO = AWS.configure(DynamoDbClient.builder())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String SAGA = "CountSaga";
    private static final Channel<Counter.Command> COUNTERS = Channel.builder("counters", Counter.Command.class)
            .command("Increment", Counter.Increment.class).build();

    /** The saga's data: the two counters it bumps. */
    record Pair(String first, String second) {
    }

    /** Like the reference saga: a compensation-only step, a step with a deadline and an undo, a last step. */
    static SagaDefinition<Pair> definition() {
        return SagaDefinition.builder(SAGA, Pair.class)
                .step("note").compensate(COUNTERS, Pair::first, d -> new Counter.Increment(-100))
                .step("bump-first").invoke(COUNTERS, Pair::first, d -> new Counter.Increment(1))
                .deadline(Duration.ofSeconds(30))
                .compensate(COUNTERS, Pair::first, d -> new Counter.Increment(-1))
                .step("bump-second").invoke(COUNTERS, Pair::second, d -> new Counter.Increment(10))
                .build();
    }

    private final MutableClock clock = new MutableClock(T0);
    private final Sender sender = new Sender();
    private final List<StreamId> streams = new ArrayList<>();
    private DynamoDbSagaDeadlines deadlines;
    private AggregateRepository<Counter.State, Counter.Command, Counter.Event> counters;
    private SagaManager<Pair> manager;
    private SagaParticipant<Counter.State, Counter.Command, Counter.Event> participant;
    private SagaSweeper sweeper;
    private Feed feed;
    private SagaTimelines timelines;
    private String events;
    private String deadlinesTable;

    @BeforeEach
    void given_two_counters_a_saga_manager_its_participant_and_the_deadlines_table() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        events = "timeline-events-" + suffix;
        deadlinesTable = "timeline-deadlines-" + suffix;
        EventTables.createEventsTable(DYNAMO, events);
        DynamoDbSagaDeadlines.createTable(DYNAMO, deadlinesTable);
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(DYNAMO).tableName(events).clock(clock).build();
        deadlines = DynamoDbSagaDeadlines.builder().client(DYNAMO).tableName(deadlinesTable).build();
        counters = AggregateRepository.builder(new Counter()).eventStore(store).clock(clock).build();
        manager = SagaManager.builder(definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                .sender(sender).deadlines(deadlines).clock(clock).build();
        participant = SagaParticipant.builder(counters, COUNTERS, sender).build();
        sweeper = new SagaSweeper(deadlines, List.of(manager), clock);
        feed = new Feed(store, new EventDispatcher(List.of(manager.commandSender(), participant.replySender()),
                new InMemoryCheckpointStore(), store));
        for (String id : List.of("c1", "c2")) {
            counters.create(id, new Counter.Create());
            streams.add(counters.streamId(id));
        }
        timelines = new SagaTimelines(store, deadlines, List.of("OtherSaga", SAGA),
                Map.of(COUNTERS.name(), Counter.TYPE));
    }

    private String start(String triggeringEvent) {
        return start(triggeringEvent, new Pair("c1", "c2"));
    }

    private String start(String triggeringEvent, Pair pair) {
        String sagaId = manager.start(triggeringEvent, pair,
                EventMetadata.empty().withCorrelationId("corr-" + triggeringEvent).withPrincipal("alice")).saga()
                        .sagaId();
        streams.add(StreamId.of(SAGA, sagaId));
        return sagaId;
    }

    /** Stream -> messages -> handlers until nothing moves, a second passing per round; lost commands vanish. */
    private void settle(Predicate<CommandMessage> lose) {
        settle(lose, 1);
    }

    /** As {@link #settle(Predicate)}, every message delivered {@code times} times (redeliveries). */
    private void settle(Predicate<CommandMessage> lose, int times) {
        while (feed.pump(streams) > 0 || !sender.commands.isEmpty() || !sender.replies.isEmpty()) {
            clock.advance(Duration.ofSeconds(1));
            List<CommandMessage> commands = List.copyOf(sender.commands);
            sender.commands.clear();
            for (int i = 0; i < times; i++) {
                commands.stream().filter(lose.negate()).forEach(participant::handle);
            }
            clock.advance(Duration.ofSeconds(1));
            List<ReplyMessage> replies = List.copyOf(sender.replies);
            sender.replies.clear();
            for (int i = 0; i < times; i++) {
                replies.forEach(manager::handle);
            }
        }
    }

    @Test
    void a_completed_saga_shows_each_command_the_participants_commit_it_caused_the_reply_and_the_end() {
        String sagaId = start("event-1");
        settle(c -> false);

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.sagaType()).isEqualTo(SAGA);
        assertThat(t.status()).isEqualTo("COMPLETED");
        assertThat(t.startedAt()).isEqualTo(T0);
        assertThat(t.endedAt()).isAfter(t.startedAt());
        assertThat(t.lanes()).containsExactly(SagaTimelines.ORCHESTRATOR, "counters");
        assertThat(t.entries()).extracting(e -> e.kind() + " " + (e.step() == null ? "-" : e.step()))
                .containsExactly("STARTED -", "COMMAND_SENT bump-first", "COMMAND_HANDLED bump-first",
                        "REPLY bump-first", "COMMAND_SENT bump-second", "COMMAND_HANDLED bump-second",
                        "REPLY bump-second", "COMPLETED -");
        assertThat(t.entries()).extracting(TimelineEntry::at).isSorted();
        List<String> sent = sender.sentCommands.stream().map(CommandMessage::messageId).toList();
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("COMMAND_SENT"))
                .extracting(TimelineEntry::messageId).containsExactlyElementsOf(sent);
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("COMMAND_HANDLED"))
                .extracting(TimelineEntry::messageId).containsExactlyElementsOf(sent);
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("REPLY")).extracting(TimelineEntry::messageId)
                .containsExactlyElementsOf(sender.sentReplies.stream().map(ReplyMessage::messageId).toList());
        TimelineEntry handled = t.entries().get(2);
        assertThat(handled.from()).isEqualTo("counters");
        assertThat(handled.detail()).contains("Counter-c1").contains("CounterIncremented").contains("SUCCESS");
        assertThat(t.entries().get(1).deadline()).isEqualTo(T0.plusSeconds(30));
        assertThat(t.entries().get(1).to()).isEqualTo("counters");
        assertThat(t.entries().get(3).from()).isEqualTo("counters");
        assertThat(t.entries().get(3).to()).isEqualTo(SagaTimelines.ORCHESTRATOR);
    }

    @Test
    void a_deadline_the_sweeper_acted_on_shows_as_a_sweeper_entry_then_the_compensations() {
        String sagaId = start("event-1");
        settle(c -> true); // the reservation never arrives
        clock.advance(Duration.ofMinutes(1));

        assertThat(sweeper.sweep().handled()).isEqualTo(1);
        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.entries()).extracting(e -> e.kind() + " " + (e.step() == null ? "-" : e.step()))
                .containsExactly("STARTED -", "COMMAND_SENT bump-first", "SWEEPER bump-first",
                        "COMPENSATING -", "COMMAND_SENT bump-first", "COMMAND_SENT note");
        TimelineEntry expired = t.entries().get(2);
        assertThat(expired.detail()).contains(SagaManager.SWEEPER_PRINCIPAL);
        assertThat(t.entries()).extracting(TimelineEntry::kind).doesNotContain("DEADLINE_EXPIRED");
        assertThat(expired.messageId()).isEqualTo(t.entries().get(1).messageId());
        assertThat(expired.deadline()).isEqualTo(T0.plusSeconds(30));
        assertThat(t.entries().get(3).detail()).isEqualTo("bump-first:deadline-expired");
        assertThat(t.entries().get(4).detail()).contains("compensation").contains("not awaited");
        assertThat(t.entries().get(5).detail()).contains("compensation").doesNotContain("not awaited");
        assertThat(t.status()).isEqualTo("COMPENSATING");
        assertThat(t.endedAt()).isNull();
    }

    @Test
    void a_saga_compensated_to_the_end_shows_the_compensations_handled_and_ends_failed() {
        String sagaId = start("event-1");
        settle(c -> true);
        clock.advance(Duration.ofMinutes(1));
        sweeper.sweep();
        settle(c -> false);

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.status()).isEqualTo(SagaStatus.COMPENSATED.name());
        assertThat(t.entries()).extracting(TimelineEntry::kind).containsSubsequence("SWEEPER",
                "COMPENSATING", "COMMAND_SENT", "COMMAND_SENT", "COMMAND_HANDLED", "REPLY", "FAILED");
        assertThat(t.entries()).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("FAILED");
            assertThat(e.detail()).isEqualTo("COMPENSATED: bump-first:deadline-expired");
        });
        assertThat(t.endedAt()).isEqualTo(t.entries().get(t.entries().size() - 1).at());
    }

    @Test
    void a_resend_after_the_deadline_of_a_step_without_undo_is_a_resent_command() {
        String sagaId = start("event-1");
        settle(c -> c.target().equals("c2")); // the second step's command is lost
        clock.advance(Duration.ofMinutes(6));
        sweeper.sweep();

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.entries()).extracting(TimelineEntry::kind).endsWith("COMMAND_SENT", "SWEEPER",
                "COMMAND_RESENT");
        TimelineEntry resent = t.entries().get(t.entries().size() - 1);
        assertThat(resent.step()).isEqualTo("bump-second");
        assertThat(resent.messageId()).isEqualTo(t.entries().get(t.entries().size() - 3).messageId());
        assertThat(resent.detail()).contains("attempt 2");
    }

    @Test
    void a_deadline_message_that_came_first_is_deadline_expired_and_the_later_sweeper_adds_nothing() {
        String sagaId = start("event-1");
        settle(c -> true); // the reservation never arrives
        clock.advance(Duration.ofMinutes(1));
        DeadlineMessage due = sender.deadlines.stream().filter(d -> d.sagaId().equals(sagaId)).findFirst()
                .orElseThrow();

        manager.handle(due);
        sweeper.sweep(); // the index no longer lists it; even if it did, the same message id is a duplicate
        manager.expire(new dev.nosqles.saga.SagaDeadlines.Entry(sagaId, SAGA, due.commandMessageId(), 0,
                due.deadline(), 1, null));
        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.entries()).extracting(e -> e.kind() + " " + (e.step() == null ? "-" : e.step()))
                .containsExactly("STARTED -", "COMMAND_SENT bump-first", "DEADLINE_EXPIRED bump-first",
                        "COMPENSATING -", "COMMAND_SENT bump-first", "COMMAND_SENT note");
        TimelineEntry expired = t.entries().get(2);
        assertThat(expired.detail()).contains("deadline message").doesNotContain(SagaManager.SWEEPER_PRINCIPAL);
        assertThat(expired.messageId()).isEqualTo(due.commandMessageId());
        assertThat(expired.deadline()).isEqualTo(due.deadline());
    }

    @Test
    void a_timeline_reads_the_saga_stream_once_per_type_tried_and_two_queries_per_command() {
        String sagaId = start("event-1");
        settle(c -> false);
        List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
        try (DynamoDbClient counted = AWS.configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        requests.add(context.request().getClass().getSimpleName());
                    }
                })).build()) {
            SagaTimelines counting = new SagaTimelines(
                    DynamoDbEventStore.builder().client(counted).tableName(events).build(),
                    DynamoDbSagaDeadlines.builder().client(counted).tableName(deadlinesTable).build(), List.of(SAGA),
                    Map.of(COUNTERS.name(), Counter.TYPE));

            assertThat(counting.timeline(sagaId)).isPresent();
        }

        // the saga's stream; per command (two): the backward search for its id, the read of that commit
        assertThat(requests).containsExactly("QueryRequest", "QueryRequest", "QueryRequest", "QueryRequest",
                "QueryRequest");
    }

    @Test
    void deadline_messages_of_a_first_send_and_of_a_resend_show_as_expired_by_the_deadline_message() {
        String sagaId = start("event-1");
        settle(c -> c.target().equals("c2")); // the second step's command is lost, again and again
        for (int round = 0; round < 2; round++) {
            clock.advance(Duration.ofMinutes(6));
            List<DeadlineMessage> due = List.copyOf(sender.deadlines);
            sender.deadlines.clear();
            due.forEach(manager::handle);
            settle(c -> c.target().equals("c2"));
        }

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        // the first step's deadline message comes too, after its reply: it can never act, so it leaves no trace
        // (ADR 0011: answered from a read, nothing recorded)
        assertThat(t.entries()).extracting(TimelineEntry::kind).endsWith("REPLY", "COMMAND_SENT",
                "DEADLINE_EXPIRED", "COMMAND_RESENT", "DEADLINE_EXPIRED", "COMMAND_RESENT");
        List<TimelineEntry> expired = t.entries().stream().filter(e -> e.kind().equals("DEADLINE_EXPIRED"))
                .toList();
        assertThat(expired).extracting(TimelineEntry::step).containsExactly("bump-second", "bump-second");
        assertThat(expired).extracting(TimelineEntry::detail).containsExactly("by deadline message",
                "by deadline message");
        assertThat(expired.get(1).deadline()).isAfter(expired.get(0).deadline());
        assertThat(t.entries()).last().satisfies(e -> assertThat(e.detail()).contains("attempt 3"));
    }

    @Test
    void a_command_to_a_target_that_does_not_exist_shows_no_handling_and_the_failure_reply_the_participant_sent() {
        String sagaId = start("event-1", new Pair("c1", "ghost"));
        settle(c -> false);

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.entries()).extracting(e -> e.kind() + " " + (e.step() == null ? "-" : e.step()))
                .containsSubsequence("COMMAND_SENT bump-second", "REPLY bump-second", "COMPENSATING -",
                        "COMMAND_SENT bump-first", "COMMAND_HANDLED bump-first", "REPLY bump-first");
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("COMMAND_HANDLED"))
                .extracting(TimelineEntry::step).doesNotContain("bump-second");
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("REPLY") && "bump-second".equals(e.step()))
                .singleElement().satisfies(e -> {
                    assertThat(e.detail()).isEqualTo("FAILURE (target-not-found) to Increment");
                    assertThat(e.from()).isEqualTo("counters");
                });
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("COMPENSATING")).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("bump-second:target-not-found"));
    }

    @Test
    void commands_and_replies_delivered_twice_show_once() {
        String sagaId = start("event-1");
        settle(c -> false, 2);

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        assertThat(t.entries()).extracting(TimelineEntry::kind).containsExactly("STARTED", "COMMAND_SENT",
                "COMMAND_HANDLED", "REPLY", "COMMAND_SENT", "COMMAND_HANDLED", "REPLY", "COMPLETED");
    }

    @Test
    void a_command_applied_after_its_deadline_shows_its_late_handling_reply_and_the_compensation_it_triggers() {
        String sagaId = start("event-1");
        feed.pump(streams);
        List<CommandMessage> delayed = List.copyOf(sender.commands);
        sender.commands.clear();
        clock.advance(Duration.ofMinutes(1));
        sweeper.sweep();
        settle(c -> false); // the compensations run
        clock.advance(Duration.ofMinutes(1));
        delayed.forEach(participant::handle); // the reservation arrives at last
        settle(c -> false);

        SagaTimeline t = timelines.timeline(sagaId).orElseThrow();

        List<String> kinds = t.entries().stream().map(e -> e.kind() + " " + (e.step() == null ? "-" : e.step()))
                .toList();
        assertThat(kinds.subList(0, 3)).containsExactly("STARTED -", "COMMAND_SENT bump-first",
                "SWEEPER bump-first");
        assertThat(kinds).containsSubsequence("FAILED -", "COMMAND_HANDLED bump-first", "REPLY bump-first",
                "COMMAND_SENT bump-first", "COMMAND_HANDLED bump-first");
        TimelineEntry lateReply = t.entries().get(kinds.lastIndexOf("REPLY bump-first"));
        assertThat(lateReply.detail()).startsWith("SUCCESS");
        assertThat(t.entries()).extracting(TimelineEntry::at).isSorted();
        assertThat(t.entries()).filteredOn(e -> e.kind().equals("COMMAND_HANDLED")).extracting(TimelineEntry::messageId)
                .doesNotHaveDuplicates();
    }

    @Test
    void an_unknown_saga_id_has_no_timeline() {
        assertThat(timelines.timeline("no-such-saga")).isEmpty();
        assertThat(timelines.timeline("not a valid id")).isEmpty();
    }

    @Test
    void past_due_lists_exactly_the_sagas_waiting_beyond_their_deadline() {
        String late = start("event-late");
        settle(c -> true);
        clock.advance(Duration.ofSeconds(20));
        String onTime = start("event-on-time");
        settle(c -> true);
        String done = start("event-done");
        settle(c -> false);
        Instant now = T0.plusSeconds(40);

        List<PastDueSaga> due = timelines.pastDue(now);

        assertThat(manager.find(done).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(manager.find(onTime).orElseThrow().deadline()).isAfter(now);
        assertThat(due).singleElement().satisfies(p -> {
            assertThat(p.sagaId()).isEqualTo(late);
            assertThat(p.sagaType()).isEqualTo(SAGA);
            assertThat(p.step()).isEqualTo("bump-first");
            assertThat(p.awaitingCommandId()).isEqualTo(manager.find(late).orElseThrow().awaitingCommandId());
            assertThat(p.dueAt()).isEqualTo(T0.plusSeconds(30));
            assertThat(p.overdueMillis()).isEqualTo(10_000);
            assertThat(p.attempt()).isZero();
        });
        assertThat(timelines.pastDue(T0.plusSeconds(29))).isEmpty();
    }

    /** Records what the saga and the participant send. */
    private static final class Sender implements SagaMessageSender {
        final List<CommandMessage> commands = new ArrayList<>();
        final List<ReplyMessage> replies = new ArrayList<>();
        final List<CommandMessage> sentCommands = new ArrayList<>();
        final List<ReplyMessage> sentReplies = new ArrayList<>();
        final List<DeadlineMessage> deadlines = new ArrayList<>();

        @Override
        public void send(CommandMessage command) {
            commands.add(command);
            sentCommands.add(command);
        }

        @Override
        public void send(ReplyMessage reply) {
            replies.add(reply);
            sentReplies.add(reply);
        }

        @Override
        public void schedule(DeadlineMessage deadline, Duration delay) {
            deadlines.add(deadline); // delivered only when a test says so; else the sweeper acts
        }
    }
}
