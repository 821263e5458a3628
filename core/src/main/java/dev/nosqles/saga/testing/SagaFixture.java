package dev.nosqles.saga.testing;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.aggregate.RetryPolicy;
import dev.nosqles.internal.Json;
import dev.nosqles.saga.Channel;
import dev.nosqles.saga.ReplyOutcome;
import dev.nosqles.saga.SagaCommand;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaEvent;
import dev.nosqles.saga.SagaEvent.SagaCommandEvent;
import dev.nosqles.saga.SagaOrchestrator;
import dev.nosqles.saga.SagaReply;
import dev.nosqles.saga.SagaState;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.memory.InMemoryEventStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Specification-style tests of a saga definition, through the real orchestrator and repository on the in-memory
 * store. The fixture keeps the saga between steps, so a test reads as the conversation:
 *
 * <pre>{@code
 * SagaFixture<CreateOrderSagaData> saga = SagaFixture.of(CreateOrderSaga.definition());
 * saga.whenStarted(data)
 *     .thenSent(SagaFixture.command(CUSTOMER, "c1", new ReserveCredit("o1", total)))
 *     .thenStatus(SagaStatus.RUNNING);
 * saga.whenFailed("credit-limit-exceeded")
 *     .thenSent(SagaFixture.compensation(ORDER, "o1", new RejectOrder("credit-not-reserved")));
 * }</pre>
 *
 * Time starts at 2026-01-01T00:00:00Z and only moves with {@link #advance}. Assertions throw
 * {@link AssertionError}.
 */
public final class SagaFixture<D> {
    private final SagaDefinition<D> definition;
    private final AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository;
    private final String sagaId;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private SagaFixture(SagaDefinition<D> definition, String sagaId) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.sagaId = sagaId;
        this.repository = AggregateRepository.builder(new SagaOrchestrator<>(definition))
                .eventStore(new InMemoryEventStore(Clock.fixed(now, ZoneOffset.UTC)))
                .retry(RetryPolicy.noRetry()).build();
    }

    public static <D> SagaFixture<D> of(SagaDefinition<D> definition) {
        return new SagaFixture<>(definition, "saga-1");
    }

    /** A command expected to be sent going forward. */
    public static <C> Sent command(Channel<C> channel, String target, C command) {
        return new Sent(channel.name(), target, command, false);
    }

    /** A compensating command expected to be sent. */
    public static <C> Sent compensation(Channel<C> channel, String target, C command) {
        return new Sent(channel.name(), target, command, true);
    }

    /** A command the saga sent, decoded with its channel. */
    public record Sent(String channel, String target, Object command, boolean compensation) {
    }

    public String sagaId() {
        return sagaId;
    }

    /** Moves the fixture's clock. */
    public SagaFixture<D> advance(Duration duration) {
        now = now.plus(duration);
        return this;
    }

    /** Starts the saga with this data. */
    public Outcome<D> whenStarted(D data) {
        return run(() -> repository.create(sagaId, new SagaCommand.StartSaga<>(sagaId, data, now), meta()));
    }

    /** The participant of the awaited command accepted it (no reply data). */
    public Outcome<D> whenSucceeded() {
        return whenReplied(ReplyOutcome.SUCCESS, null, null);
    }

    /** The participant of the awaited command accepted it, replying with this data (a record). */
    public Outcome<D> whenSucceeded(Object replyData) {
        return whenReplied(ReplyOutcome.SUCCESS, null, replyData);
    }

    /** The participant of the awaited command rejected it. */
    public Outcome<D> whenFailed(String reason) {
        return whenReplied(ReplyOutcome.FAILURE, reason, null);
    }

    /** A reply to the awaited command. */
    public Outcome<D> whenReplied(ReplyOutcome outcome, String reason, Object replyData) {
        String awaited = current().awaitingCommandId();
        if (awaited == null) {
            throw new AssertionError("the saga awaits no reply; status " + current().status());
        }
        return whenReplyTo(awaited, outcome, reason, replyData);
    }

    /** A reply to the command with this message id (awaited or not). */
    public Outcome<D> whenReplyTo(String commandMessageId, ReplyOutcome outcome, String reason, Object replyData) {
        return whenReply(UUID.randomUUID().toString(), commandMessageId, outcome, reason, replyData);
    }

    /** A reply with this message id to the command with that message id (awaited or not). */
    public Outcome<D> whenReply(String replyMessageId, String commandMessageId, ReplyOutcome outcome, String reason,
                                Object replyData) {
        String data = replyData == null ? "{}" : Json.mapper().valueToTree(replyData).toString();
        SagaReply reply = new SagaReply(commandMessageId, outcome, reason, data);
        EventMetadata meta = EventMetadata.empty().withMessageId(replyMessageId);
        return run(() -> repository.update(sagaId, new SagaCommand.HandleReply(reply, meta.messageId(), now), meta));
    }

    /** The clock moves to the awaited command's deadline and the deadline message arrives. */
    public Outcome<D> whenDeadlinePasses() {
        SagaState<D> state = current();
        if (state.deadline() == null) {
            throw new AssertionError("the saga awaits no deadline; status " + state.status());
        }
        if (now.isBefore(state.deadline())) {
            now = state.deadline();
        }
        return whenDeadlineMessage(state.awaitingCommandId());
    }

    /** A deadline message for this command arrives now (due or not). */
    public Outcome<D> whenDeadlineMessage(String commandMessageId) {
        return run(() -> repository.update(sagaId, new SagaCommand.DeadlineExpired(commandMessageId, now), meta()));
    }

    /** The saga's current state. */
    public SagaState<D> current() {
        return repository.find(sagaId).map(AggregateState::state)
                .orElseThrow(() -> new AssertionError("the saga has not started"));
    }

    private EventMetadata meta() {
        return EventMetadata.empty().withMessageId(UUID.randomUUID().toString());
    }

    private Outcome<D> run(java.util.function.Supplier<CommandResult<SagaState<D>, SagaEvent>> action) {
        CommandResult<SagaState<D>, SagaEvent> result = action.get();
        List<SagaEvent> events = result.events().stream().map(EventEnvelope::event).toList();
        List<Sent> sent = events.stream().filter(SagaCommandEvent.class::isInstance).map(SagaCommandEvent.class::cast)
                .map(this::decode).toList();
        return new Outcome<>(result.state().state(), events, sent);
    }

    private Sent decode(SagaCommandEvent event) {
        Channel<?> channel = definition.channel(event.channel())
                .orElseThrow(() -> new AssertionError("the saga sent to unknown channel " + event.channel()));
        return new Sent(event.channel(), event.target(), channel.decode(event.commandType(), event.command()),
                event.compensation());
    }

    /** What one step did, with assertions. */
    public static final class Outcome<D> {
        private final SagaState<D> state;
        private final List<SagaEvent> events;
        private final List<Sent> sent;

        private Outcome(SagaState<D> state, List<SagaEvent> events, List<Sent> sent) {
            this.state = state;
            this.events = events;
            this.sent = sent;
        }

        /** Exactly these commands were sent, in this order. */
        public Outcome<D> thenSent(Sent... expected) {
            if (!sent.equals(List.of(expected))) {
                throw new AssertionError("expected commands " + List.of(expected) + " but the saga sent " + sent);
            }
            return this;
        }

        /** Nothing was sent. */
        public Outcome<D> thenNothingSent() {
            return thenSent();
        }

        /** No events at all: the message was ignored. */
        public Outcome<D> thenIgnored() {
            if (!events.isEmpty()) {
                throw new AssertionError("expected the message to be ignored but the saga recorded " + events);
            }
            return this;
        }

        public Outcome<D> thenStatus(SagaStatus expected) {
            if (state.status() != expected) {
                throw new AssertionError("expected status " + expected + " but was " + state.status()
                        + (state.reason() == null ? "" : " (" + state.reason() + ")"));
            }
            return this;
        }

        public Outcome<D> thenData(D expected) {
            if (!Objects.equals(state.data(), expected)) {
                throw new AssertionError("expected data " + expected + " but was " + state.data());
            }
            return this;
        }

        public Outcome<D> thenReason(String expected) {
            if (!Objects.equals(state.reason(), expected)) {
                throw new AssertionError("expected reason " + expected + " but was " + state.reason());
            }
            return this;
        }

        public SagaState<D> state() {
            return state;
        }

        public List<Sent> sent() {
            return sent;
        }

        public List<SagaEvent> events() {
            return events;
        }
    }
}
