package dev.nosqles.saga.testing;

import dev.nosqles.internal.Json;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.saga.Channel;
import dev.nosqles.saga.ReplyOutcome;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaInstance;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaResult;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.store.EventMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Specification-style tests of a saga definition, through a real {@link SagaManager} on the in-memory store: the
 * saga is started, fed replies and deadline messages as the queues would, and the commands it decides are
 * checked ({@link SagaResult#commands()}). The fixture keeps the saga between steps, so a test reads as the
 * conversation:
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
    private static final String TRIGGERING_EVENT_ID = "triggering-event-1";

    private final SagaDefinition<D> definition;
    private final SagaManager<D> manager;
    private final String sagaId;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private SagaFixture(SagaDefinition<D> definition) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.sagaId = SagaManager.sagaIdOf(definition.type(), TRIGGERING_EVENT_ID);
        this.manager = SagaManager.builder(definition)
                .eventStore(new InMemoryEventStore(Clock.fixed(now, ZoneOffset.UTC)))
                .sender(new Discarding()).clock(new FixtureClock()).build();
    }

    public static <D> SagaFixture<D> of(SagaDefinition<D> definition) {
        return new SagaFixture<>(definition);
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
        return run(manager.start(TRIGGERING_EVENT_ID, data, EventMetadata.empty()));
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
        return run(manager.handle(new SagaMessage.ReplyMessage(replyMessageId, definition.type(), sagaId,
                definition.replyChannel(), commandMessageId, outcome, reason, data, now)).orElseThrow());
    }

    /** The clock moves to the awaited command's deadline and the deadline message arrives. */
    public Outcome<D> whenDeadlinePasses() {
        SagaInstance<D> state = current();
        if (state.deadline() == null) {
            throw new AssertionError("the saga awaits no deadline; status " + state.status());
        }
        if (now.isBefore(state.deadline())) {
            now = state.deadline();
        }
        return whenDeadlineMessage(state.awaitingCommandId());
    }

    /**
     * A deadline message for this command arrives now (due or not: the saga acts only on the deadline it awaits,
     * once it has passed).
     */
    public Outcome<D> whenDeadlineMessage(String commandMessageId) {
        return run(manager.handle(new SagaMessage.DeadlineMessage(UUID.randomUUID().toString(), definition.type(),
                sagaId, definition.replyChannel(), commandMessageId, now, now)).orElseThrow());
    }

    /** The saga now. */
    public SagaInstance<D> current() {
        return manager.find(sagaId).orElseThrow(() -> new AssertionError("the saga has not started"));
    }

    private Outcome<D> run(SagaResult<D> result) {
        List<Sent> sent = result.commands().stream().map(this::decode).toList();
        return new Outcome<>(result, sent);
    }

    private Sent decode(SagaResult.Command command) {
        Channel<?> channel = definition.channel(command.channel())
                .orElseThrow(() -> new AssertionError("the saga sent to unknown channel " + command.channel()));
        return new Sent(command.channel(), command.target(), channel.decode(command.commandType(), command.command()),
                command.compensation());
    }

    /** The fixture's time, which moves only with {@link #advance}. */
    private final class FixtureClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** The fixture looks at what the saga decided, not at the queues. */
    private static final class Discarding implements SagaMessageSender {
        @Override
        public void send(SagaMessage.CommandMessage command) {
        }

        @Override
        public void send(SagaMessage.ReplyMessage reply) {
        }

        @Override
        public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
        }
    }

    /** What one step did, with assertions. */
    public static final class Outcome<D> {
        private final SagaResult<D> result;
        private final SagaInstance<D> state;
        private final List<Sent> sent;

        private Outcome(SagaResult<D> result, List<Sent> sent) {
            this.result = result;
            this.state = result.saga();
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

        /** Nothing recorded: the message was ignored. */
        public Outcome<D> thenIgnored() {
            if (!result.ignored()) {
                throw new AssertionError("expected the message to be ignored but the saga recorded "
                        + (result.duplicate() ? "it before" : "a change, sending " + result.commands()));
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

        /** The saga after this step. */
        public SagaInstance<D> state() {
            return state;
        }

        public List<Sent> sent() {
            return sent;
        }

        /** The commands the saga decided in this step, as the command sender sends them. */
        public List<SagaResult.Command> commands() {
            return result.commands();
        }
    }
}
