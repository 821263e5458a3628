package dev.nosqles.saga;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandOutcome;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.PseudoEvent;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.metrics.Metric;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.saga.internal.SagaIds;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.subscription.Subscriber;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * An aggregate that takes part in sagas: it processes command messages from its channel and asks for the reply
 * in the same commit (ADR 0005).
 * <ul>
 *   <li>{@link #handle}: {@code updateRecording} with the command message id as message id; whatever the
 *       outcome, a {@code nosqles.SagaReplyRequested} pseudo event is appended with it (a rejection is a
 *       {@code FAILURE} reply). A redelivered command is a duplicate: nothing is written; given the event
 *       store, the participant sends the reply it recorded again (same reply id), so a saga that re-sends a
 *       command whose reply was lost gets its answer.</li>
 *   <li>A target that does not exist gets a {@code FAILURE} reply sent at once, with a reply id derived from the
 *       command id: a redelivery sends the same reply id, which the saga drops. The saga never hangs.</li>
 *   <li>{@link #replySender()}: the stream subscriber that sends the requested replies, the pseudo event's id
 *       being the reply's message id and its commit timestamp the reply's {@code sentAt}.</li>
 *   <li>The command's {@code sentAt} goes to the repository as {@code EventMetadata.messageSentAt}: only
 *       commits after it can hold the command's id.</li>
 *   <li>The command's correlation id (the saga's: the original request's) goes into the metadata of the events
 *       the command causes and into the reply, so that the saga keeps it.</li>
 * </ul>
 *
 * @param <S> the participant's state
 * @param <C> its commands
 * @param <E> its events
 */
public final class SagaParticipant<S, C, E> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SagaParticipant.class);

    /** The pseudo event a participant appends to ask for a reply. */
    public static final String REPLY_REQUESTED = PseudoEvents.PREFIX + "SagaReplyRequested";
    /** The reason of the failure reply to a command whose target does not exist. */
    public static final String TARGET_NOT_FOUND = "target-not-found";

    private final AggregateRepository<S, C, E> repository;
    private final Channel<C> channel;
    private final SagaMessageSender sender;
    private final Function<CommandOutcome<S, E>, Object> replyData;
    private final EventStore store;

    private SagaParticipant(Builder<S, C, E> b) {
        this.repository = b.repository;
        this.channel = b.channel;
        this.sender = b.sender;
        this.replyData = b.replyData;
        this.store = b.eventStore;
    }

    /**
     * A builder of the participant that processes {@code channel}'s commands on {@code repository}'s aggregates and
     * sends replies with {@code sender}. Optional: {@link Builder#replyData} and {@link Builder#eventStore}.
     */
    public static <S, C, E> Builder<S, C, E> builder(AggregateRepository<S, C, E> repository, Channel<C> channel,
                                                     SagaMessageSender sender) {
        return new Builder<>(repository, channel, sender);
    }

    /** Configures a {@link SagaParticipant}; validation happens in {@link #build()}. */
    public static final class Builder<S, C, E> {
        private final AggregateRepository<S, C, E> repository;
        private final Channel<C> channel;
        private final SagaMessageSender sender;
        private Function<CommandOutcome<S, E>, Object> replyData = outcome -> null;
        private EventStore eventStore;

        private Builder(AggregateRepository<S, C, E> repository, Channel<C> channel, SagaMessageSender sender) {
            this.repository = repository;
            this.channel = channel;
            this.sender = sender;
        }

        /**
         * Optional: the data of a reply (a record or a map: what JSON writes as an object; null for none) for each
         * outcome; none by default. Data written as anything else (a string, a number, a list) is refused when the
         * command is handled: {@link SagaParticipant#handle} throws {@link SagaMessageException} (field
         * {@code data}) and nothing is written.
         */
        public Builder<S, C, E> replyData(Function<CommandOutcome<S, E>, Object> replyData) {
            this.replyData = replyData;
            return this;
        }

        /**
         * Optional: the event store of the repository, read when a command turns out a duplicate to send its
         * recorded reply again (a saga that re-sends a command whose reply was lost gets its answer). Without it a
         * redelivered command gets no reply.
         */
        public Builder<S, C, E> eventStore(EventStore eventStore) {
            this.eventStore = eventStore;
            return this;
        }

        /** @throws NullPointerException the repository, channel, sender or reply data function is null */
        public SagaParticipant<S, C, E> build() {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(replyData, "replyData");
            return new SagaParticipant<>(this);
        }
    }

    /**
     * The message id of the {@code FAILURE} reply sent at once to a command whose target does not exist
     * ({@value #TARGET_NOT_FOUND}): derived from the command's, the same for every redelivery. For tools that
     * follow a saga's messages.
     */
    public static String directReplyIdOf(String commandMessageId) {
        return SagaIds.directReplyId(Objects.requireNonNull(commandMessageId, "commandMessageId"));
    }

    /** For SnapStart / CRaC priming: loads an aggregate that never exists (one Query). Writes nothing. */
    public void prime() {
        repository.find("snapstart-priming");
    }

    public Channel<C> channel() {
        return channel;
    }

    /**
     * Processes a command message.
     *
     * @return what the aggregate did; null when the target did not exist (a failure reply was sent)
     * @throws SagaMessageException the message is for another channel or its command cannot be read, or the
     *         reply data for the outcome is not a JSON object (nothing is written)
     */
    public CommandResult<S, E> handle(CommandMessage message) {
        if (!message.channel().equals(channel.name())) {
            throw new SagaMessageException("command", "channel", "is not " + channel.name());
        }
        C command = channel.decode(message.commandType(), message.command());
        EventMetadata meta = metadata(message);
        try {
            CommandResult<S, E> result = repository.updateRecording(message.target(), command, meta,
                    outcome -> replyRequested(message, outcome));
            if (result.duplicate() && store != null) {
                resendRecordedReply(message);
            }
            return result;
        } catch (StreamNotFoundException missing) {
            sender.send(new ReplyMessage(SagaIds.directReplyId(message.messageId()), message.sagaType(),
                    message.sagaId(), message.replyChannel(), message.messageId(), ReplyOutcome.FAILURE,
                    TARGET_NOT_FOUND, "{}", message.sentAt(), message.correlationId()));
            return null;
        }
    }

    /**
     * A sender for a saga manager's command sender that runs in the same process as this participant (as in the
     * reference application's stream function, ADR 0015): a command on this participant's channel is handled here
     * and now ({@link #handle}), without its queue: no send, receive and delete, no invocation of the participant's
     * queue function. If handling it throws a runtime exception (the target is busy beyond its retries, a store
     * fails, the command cannot be read), the command goes to its queue after all (a WARN line names the saga, the
     * command's id and the exception's class), where it is retried and, if it can never be handled, dead-lettered as
     * before; and if that send fails too, the caller fails with the send's exception, the handling's attached as
     * suppressed (the stream batch is retried). Everything else (other channels, replies, deadlines) goes to {@code queue}. Exactly once in effect
     * as through the queue: the participant records the command's message id, so a command handled here and again
     * from the queue (or from a retried batch) acts once, and its duplicate gets the recorded reply again, through
     * this participant's sender (give it the manager's {@code inProcessReplies} so that a retried batch costs no
     * queue message).
     *
     * <p>A command handled here does not wait behind commands of the same target still in the queue: use it for a
     * participant whose commands for one target come one at a time (a saga's steps, as for the reference Order).
     */
    public SagaMessageSender inProcessCommands(SagaMessageSender queue) {
        java.util.Objects.requireNonNull(queue, "queue");
        return new SagaMessageSender() {
            @Override
            public void send(SagaMessage.CommandMessage command) {
                if (!command.channel().equals(channel.name())) {
                    queue.send(command);
                    return;
                }
                try {
                    handle(command);
                } catch (RuntimeException e) {
                    // the message names the exception's class only: its message may quote the command
                    LOG.warn("saga {} command {} to {} not handled in process ({}): sent to its queue",
                            command.sagaId(), command.messageId(), command.channel(), e.getClass().getSimpleName());
                    try {
                        queue.send(command);
                    } catch (RuntimeException sendFailed) {
                        sendFailed.addSuppressed(e);
                        throw sendFailed;
                    }
                    repository.metrics().increment(Metric.IN_PROCESS_FALLBACKS);
                }
            }

            @Override
            public void send(SagaMessage.ReplyMessage reply) {
                queue.send(reply);
            }

            @Override
            public void schedule(SagaMessage.DeadlineMessage deadline, java.time.Duration delay) {
                queue.schedule(deadline, delay);
            }
        };
    }

    /**
     * A command the aggregate has processed came again: a re-send after the saga's deadline, or a redelivery.
     * The first reply may have been lost (it died in the reply queue's dead-letter queue), and the saga re-sends
     * with the same id precisely because it got none; so the recorded reply is sent again, with its own id (the
     * saga drops it if it had it). Only for duplicates, and bounded: a backward search of the commits written since
     * the command was first sent (less the clock-skew allowance), then one read of the commit that holds it — not
     * the whole history of an aggregate that takes part in unboundedly many sagas.
     */
    private void resendRecordedReply(CommandMessage message) {
        StreamId stream = repository.streamId(message.target());
        List<RecordedEvent> events;
        if (message.sentAt() == null) {
            events = store.read(stream, ReadRequest.all()).events();
        } else {
            Optional<EventStore.MessageCommit> commit = store.findMessageCommit(stream, message.messageId(),
                    Long.MAX_VALUE, message.sentAt().minus(repository.clockSkewAllowance()));
            if (commit.isEmpty()) {
                return;
            }
            events = store.read(stream, ReadRequest.from(commit.get().firstVersion())
                    .withToVersion(commit.get().lastVersion())).events();
        }
        for (int i = events.size() - 1; i >= 0; i--) {
            RecordedEvent event = events.get(i);
            if (REPLY_REQUESTED.equals(event.type()) && message.messageId().equals(event.metadata().messageId())) {
                sendReply(event, sender);
                return;
            }
        }
    }

    /**
     * What the participant's repository is told about a command message: its id (which bounds duplicate searches)
     * and the saga's correlation id.
     */
    static EventMetadata metadata(CommandMessage message) {
        return EventMetadata.empty().withMessageId(message.messageId())
                .withCorrelationId(message.correlationId()).withCausationId(message.messageId())
                .withPrincipal("saga:" + message.sagaType()).withMessageSentAt(message.sentAt());
    }

    /** The reply request: the reply's wire form less what is known only when it is sent (SagaMessageCodec). */
    private PseudoEvent replyRequested(CommandMessage message, CommandOutcome<S, E> outcome) {
        String reason = switch (outcome) {
            case CommandOutcome.Accepted<S, E> accepted -> null;
            case CommandOutcome.Rejected<S, E> rejected -> rejected.rejection().reason();
        };
        // refused here, before anything is committed: the stream could not read a reply request without an object
        String data = SagaMessageCodec.replyData(replyData.apply(outcome));
        return new PseudoEvent(REPLY_REQUESTED, 1, SagaMessageCodec.encodeReplyRequest(message.sagaType(),
                message.sagaId(), message.replyChannel(), message.messageId(),
                reason == null ? ReplyOutcome.SUCCESS : ReplyOutcome.FAILURE, reason, data));
    }

    /**
     * The stream subscriber that sends the replies this participant's aggregate type asked for, each with the
     * correlation id of the commit that asked for it (the command's). Name:
     * {@code saga-replies-<aggregate type>}.
     */
    public Subscriber replySender() {
        return replySender("saga-replies-" + repository.aggregate().type(), sender,
                repository.aggregate().type());
    }

    /** A stream subscriber that sends the replies requested by aggregates of the given types. */
    public static Subscriber replySender(String name, SagaMessageSender sender, String... aggregateTypes) {
        // no checkpoints (ADR 0011): a reply sent twice carries one message id (the pseudo event's), which the saga
        // records
        Subscriber.Builder builder = Subscriber.builder(name).withoutCheckpoints();
        for (String type : aggregateTypes) {
            builder.onRaw(type, (event, ctx) -> sendReply(event, sender));
        }
        return builder.build();
    }

    /**
     * The reply a {@code nosqles.SagaReplyRequested} pseudo event asks for: decoded by the saga message codec, with
     * the pseudo event's id as message id, its commit timestamp as {@code sentAt} and its commit's correlation id.
     * Reads the data of pseudo events written by earlier versions too.
     *
     * @throws SagaMessageException the event is not a reply request, or its data cannot be read
     */
    public static ReplyMessage requestedReply(RecordedEvent event) {
        if (!REPLY_REQUESTED.equals(event.type())) {
            throw new SagaMessageException("reply", "type", "is not " + REPLY_REQUESTED);
        }
        String correlationId = event.metadata() == null ? null : event.metadata().correlationId();
        return SagaMessageCodec.decodeReplyRequest(event.data(), event.eventId().toString(), event.timestamp(),
                correlationId);
    }

    private static void sendReply(RecordedEvent event, SagaMessageSender sender) {
        if (!REPLY_REQUESTED.equals(event.type())) {
            return;
        }
        ReplyMessage reply = requestedReply(event);
        try (dev.nosqles.logging.LogContext log = dev.nosqles.logging.LogContext.open()
                .put(dev.nosqles.logging.LogContext.SAGA_ID, reply.sagaId())
                .put(dev.nosqles.logging.LogContext.CORRELATION_ID, reply.correlationId())) {
            sender.send(reply);
            LOG.info("saga {}: {} reply to {} sent", reply.sagaId(), reply.outcome(), reply.inReplyTo());
        }
    }
}
