package dev.nosqles.saga;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.Upcasters;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.aggregate.MessageTooOldException;
import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.saga.SagaCommand.DeadlineExpired;
import dev.nosqles.saga.SagaCommand.HandleReply;
import dev.nosqles.saga.SagaCommand.StartSaga;
import dev.nosqles.saga.SagaEvent.SagaCommandEvent;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.saga.internal.SagaIds;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.subscription.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs the sagas of one {@link SagaDefinition}: starts them from events, feeds them replies and deadlines, and
 * provides the stream subscriber that sends the commands they decide. Exactly once in effect (ADR 0005):
 * <ul>
 *   <li>a saga's id is derived from its triggering event, and the start carries the event id as message id:
 *       a redelivered event finds the saga started and gets a duplicate result;</li>
 *   <li>a reply is applied with its message id: a redelivered reply is dropped by the repository;</li>
 *   <li>command messages carry deterministic ids: a re-sent command is dropped by its participant.</li>
 * </ul>
 * No saga is left hanging: after every orchestrator commit (and again when a redelivered message turns out a
 * duplicate) the manager records what the saga waits for and until when in {@link SagaDeadlines}, before the
 * message that caused the commit is acknowledged; the {@link SagaSweeper} acts on sagas past due. The command
 * sender schedules a command's deadline message <em>before</em> it sends the command; or, with deadlines kept by
 * the sweeper alone ({@link Builder#sweeperDeadlines}, ADR 0013), arms the command's index entry before it sends
 * it and schedules no message.
 * <p>Correlation: the saga keeps the correlation id of the event that started it (the original request's) in
 * every event it writes, every message it sends (commands, deadlines) and every index entry, and the participants
 * copy it into their events and replies; so one id finds every step of one request in the logs and histories. The
 * saga's own id is a separate field ({@code saga_id} in the logs). Messages and index entries written before
 * messages carried it are correlated by the saga's id.
 */
public final class SagaManager<D> {
    /** The principal of what the sweeper does to a saga, in its history. */
    public static final String SWEEPER_PRINCIPAL = "saga-sweeper";

    private final SagaDefinition<D> definition;
    private final AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository;
    private final SagaMessageSender sender;
    private final SagaDeadlines deadlines;
    private final Clock clock;
    /** Null: deadline messages (and the sweeper as the net); else deadlines by the sweeper alone (ADR 0013). */
    private final Duration unsentAllowance;
    /** Where a deadline looks for the participant's answer (channels naming their participant); null: nowhere. */
    private final EventStore participants;
    /** Whether a participant without a record of the command is busy (its queue holds messages), ADR 0016. */
    private final ChannelBacklog backlog;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SagaManager.class);

    /** Over a repository configured by the caller (tests of this package); users go through {@link #builder}. */
    SagaManager(SagaDefinition<D> definition, AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository,
                SagaMessageSender sender, SagaDeadlines deadlines, Clock clock) {
        this(definition, repository, sender, deadlines, clock, null, null);
    }

    /**
     * @param unsentAllowance null: deadline messages; else deadlines by the sweeper alone, with this allowance
     * @param participants    the events table of the participants whose channels name them (a deadline looks
     *                        there for their answer), or null
     */
    SagaManager(SagaDefinition<D> definition, AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository,
                SagaMessageSender sender, SagaDeadlines deadlines, Clock clock, Duration unsentAllowance,
                EventStore participants) {
        this(definition, repository, sender, deadlines, clock, unsentAllowance, participants,
                ChannelBacklog.unknown());
    }

    /** @param backlog whether a participant without a record of the command is busy (ADR 0016) */
    SagaManager(SagaDefinition<D> definition, AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository,
                SagaMessageSender sender, SagaDeadlines deadlines, Clock clock, Duration unsentAllowance,
                EventStore participants, ChannelBacklog backlog) {
        this.backlog = Objects.requireNonNull(backlog, "backlog");
        if (unsentAllowance != null && unsentAllowance.isNegative()) {
            throw new IllegalArgumentException("the allowance for unsent commands must not be negative");
        }
        this.unsentAllowance = unsentAllowance;
        this.definition = Objects.requireNonNull(definition, "definition");
        // only a definition with a channel naming its participant looks for answers (and pays for the look)
        this.participants = definition.channels().stream().anyMatch(c -> c.participant().isPresent())
                ? participants : null;
        this.repository = Objects.requireNonNull(repository, "repository");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!repository.aggregate().type().equals(definition.type())) {
            throw new IllegalArgumentException("the repository is not of saga type " + definition.type());
        }
    }

    /**
     * A builder of the manager of {@code definition}'s sagas. Required: {@link Builder#eventStore} and
     * {@link Builder#sender}; the rest is optional.
     */
    public static <D> Builder<D> builder(SagaDefinition<D> definition) {
        return new Builder<>(definition);
    }

    /** Configures a {@link SagaManager}; validation happens in {@link #build()}. */
    public static final class Builder<D> {
        private final SagaDefinition<D> definition;
        private EventStore eventStore;
        private SnapshotStore snapshotStore = SnapshotStore.none();
        private SagaMessageSender sender;
        private SagaDeadlines deadlines = SagaDeadlines.none();
        private Clock clock = Clock.systemUTC();
        private dev.nosqles.metrics.Metrics metrics = dev.nosqles.metrics.Metrics.none();
        private Upcasters upcasters = Upcasters.none();
        private Duration unsentAllowance;
        private ChannelBacklog backlog = ChannelBacklog.unknown();
        private int stateCache;

        private Builder(SagaDefinition<D> definition) {
            this.definition = definition;
        }

        /** Required: the events table the sagas are stored in (the saga type is their aggregate type). */
        public Builder<D> eventStore(EventStore eventStore) {
            this.eventStore = eventStore;
            return this;
        }

        /** Optional: snapshots of the sagas; none by default. */
        public Builder<D> snapshotStore(SnapshotStore snapshotStore) {
            this.snapshotStore = snapshotStore;
            return this;
        }

        /** Required: where commands, and deadline messages, go (SQS in the Lambda module). */
        public Builder<D> sender(SagaMessageSender sender) {
            this.sender = sender;
            return this;
        }

        /**
         * Optional: the index of running sagas by due time that the {@link SagaSweeper} reads; none by default
         * (then only deadline messages end a wait).
         */
        public Builder<D> deadlines(SagaDeadlines deadlines) {
            this.deadlines = deadlines;
            return this;
        }

        /**
         * Optional: deadlines kept by the {@link SagaSweeper} alone (ADR 0013), no deadline messages. The command
         * sender arms each command's index entry when it sends the command ({@link SagaDeadlines#arm}): the deadline
         * counts from the send, whatever backlog the stream had before it. An entry whose command has not been sent
         * (a stream backlog, a lost record) falls due at the deadline plus {@code unsentAllowance}, so that a saga
         * never waits forever. A deadline then acts at the sweeper's next run after it: up to its period late
         * (a minute in the reference template), against the one or two seconds of a delayed message, for one
         * conditional write per command instead of a message sent, received and deleted and a function invocation.
         * Needs {@link #deadlines} (not {@link SagaDeadlines#none()}) implementing {@link SagaDeadlines#arm}; the
         * sweeper then runs without grace. Off by default (deadline messages). Known limits (ADR 0013): a deadline
         * may act up to the allowance late, never early, when its entry was rewritten by a commit still awaiting the
         * same attempt, or when the command was relayed before its entry was written.
         *
         * @param unsentAllowance how long after its deadline an entry whose command was never sent falls due (at
         *                        least as long as the stream backlogs you accept)
         */
        public Builder<D> sweeperDeadlines(Duration unsentAllowance) {
            this.unsentAllowance = Objects.requireNonNull(unsentAllowance, "unsentAllowance");
            return this;
        }

        /**
         * Optional: how many messages wait on a participant's queue (ADR 0016); unknown by default. A deadline whose
         * participant (a channel naming it) has no record of the command re-sends it instead of giving up while the
         * channel's queue holds messages and re-sends remain: the participant is busy, not silent.
         */
        public Builder<D> channelBacklog(ChannelBacklog backlog) {
            this.backlog = Objects.requireNonNull(backlog, "backlog");
            return this;
        }

        /**
         * Optional: keeps the state of up to this many sagas in memory after each step, so that the next reply to
         * one of them is decided on the state in hand, without a read (the repository's state cache, ADR 0018).
         * Off (0) by default. Turn it on in the process that handles most of a saga's replies: the stream function
         * that takes the participants' replies in process (ADR 0013). A saga another process moved on since (a
         * deadline, a reply that fell back to the queue) costs one failed write and then the read.
         *
         * @throws IllegalArgumentException a negative size
         */
        public Builder<D> stateCache(int sagas) {
            if (sagas < 0) {
                throw new IllegalArgumentException("stateCache must be 0 or more, was " + sagas);
            }
            this.stateCache = sagas;
            return this;
        }

        /** Optional: the time of starts, replies and deadlines; {@link Clock#systemUTC()} by default. */
        public Builder<D> clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Optional: where the repository and the manager (sagas started, completed, failed) count; none by default. */
        public Builder<D> metrics(dev.nosqles.metrics.Metrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * Optional: upcasters of the saga's stored events ({@code SagaOrchestratorCreated}, {@code SagaCommandEvent},
         * {@code SagaOrchestratorUpdated}), applied when a saga is loaded and when the command sender reads a
         * {@code SagaCommandEvent}; none by default. For the framework's own schema changes.
         */
        Builder<D> upcasters(Upcasters upcasters) {
            this.upcasters = upcasters;
            return this;
        }

        /**
         * @throws IllegalStateException the event store or the sender is missing, or sweeper deadlines without an index
         * @throws IllegalArgumentException a negative allowance for unsent commands
         * @throws NullPointerException the definition, or an optional part set to null
         */
        public SagaManager<D> build() {
            Objects.requireNonNull(definition, "definition");
            if (eventStore == null) {
                throw new IllegalStateException("a saga manager needs an event store");
            }
            if (sender == null) {
                throw new IllegalStateException("a saga manager needs a message sender");
            }
            Objects.requireNonNull(snapshotStore, "snapshotStore");
            Objects.requireNonNull(deadlines, "deadlines");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(upcasters, "upcasters");
            if (unsentAllowance != null && deadlines == SagaDeadlines.none()) {
                throw new IllegalStateException("sweeper deadlines need a deadline index (deadlines(...))");
            }
            return new SagaManager<>(definition,
                    AggregateRepository.builder(new SagaOrchestrator<>(definition, upcasters)).eventStore(eventStore)
                            .snapshotStore(snapshotStore).clock(clock).metrics(metrics).stateCache(stateCache).build(),
                    sender, deadlines, clock, unsentAllowance, eventStore, backlog);
        }
    }

    /** For SnapStart / CRaC priming: loads a saga that never exists (one Query). Writes nothing. */
    public void prime() {
        find("snapstart-priming");
    }

    public SagaDefinition<D> definition() {
        return definition;
    }

    /** The orchestrator's repository, for tests of this package. */
    AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository() {
        return repository;
    }

    /** The id of the saga the event with this id starts. */
    public String sagaId(String triggeringEventId) {
        return sagaIdOf(definition.type(), triggeringEventId);
    }

    /**
     * The id of the saga of type {@code sagaType} that the event with id {@code triggeringEventId} starts: the
     * same event always starts the same saga (ADR 0005). For tools that go from an event to its saga.
     */
    public static String sagaIdOf(String sagaType, String triggeringEventId) {
        return SagaIds.sagaId(Objects.requireNonNull(sagaType, "sagaType"),
                Objects.requireNonNull(triggeringEventId, "triggeringEventId"));
    }

    /**
     * The message id of the deadline of a command's {@code attempt}-th send (0: the first): the deadline message
     * and the sweeper's action on that deadline carry it, so whichever comes second is a duplicate. For tools that
     * follow a saga's messages.
     */
    public static String deadlineMessageIdOf(String commandMessageId, int attempt) {
        return SagaIds.deadlineMessageId(Objects.requireNonNull(commandMessageId, "commandMessageId"), attempt);
    }

    /** The saga, if it exists (one load of its stream). */
    public Optional<SagaInstance<D>> find(String sagaId) {
        return repository.find(sagaId).map(this::instance);
    }

    private SagaInstance<D> instance(AggregateState<SagaState<D>> state) {
        return SagaInstance.of(definition.type(), state.streamId().id(), state.version(), state.state());
    }

    private SagaResult<D> result(CommandResult<SagaState<D>, SagaEvent> result) {
        List<SagaResult.Command> commands = new ArrayList<>();
        for (EventEnvelope<SagaEvent> envelope : result.events()) {
            if (envelope.event() instanceof SagaCommandEvent c) {
                commands.add(new SagaResult.Command(c.commandMessageId(), c.step(), c.compensation(), c.channel(),
                        c.target(), c.commandType(), c.command(), c.deadline(), c.attempt()));
            }
        }
        return new SagaResult<>(instance(result.state()), result.duplicate(), !result.events().isEmpty(), commands);
    }

    /**
     * Starts the saga of an event. Idempotent: the same event again returns a duplicate result whose saga is
     * the saga as it is now (one more load, only on a redelivery), and the deadline index is brought up to date
     * with it.
     *
     * @param metadata the correlation id and principal to keep; the message id is the event id
     */
    public SagaResult<D> start(String triggeringEventId, D data, EventMetadata metadata) {
        String sagaId = sagaId(triggeringEventId);
        EventMetadata given = metadata == null ? EventMetadata.empty() : metadata;
        // without a correlation id the saga correlates by its triggering event's id (as the repository would)
        EventMetadata meta = given.withMessageId(triggeringEventId).withCausationId(triggeringEventId)
                .withCorrelationId(given.correlationId() != null ? given.correlationId() : triggeringEventId);
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, sagaId)
                .put(LogContext.CORRELATION_ID, meta.correlationId())) {
            CommandResult<SagaState<D>, SagaEvent> created = repository.create(sagaId,
                    new StartSaga<>(sagaId, data, clock.instant()), meta);
            CommandResult<SagaState<D>, SagaEvent> result = track(created.duplicate() ? current(created) : created,
                    meta.correlationId());
            if (!result.duplicate()) {
                repository.metrics().increment(Metric.SAGAS_STARTED);
                LOG.info("saga {} {} started", definition.type(), sagaId);
            }
            return result(result);
        }
    }

    /**
     * A redelivered start: the repository answers a duplicate create with the saga <em>as created</em>, but the
     * index and the caller need it as it is now (it may have moved on, or finished and left the index: tracking
     * the saga as created would put back an entry for its first command). One load, only on a redelivery.
     */
    private CommandResult<SagaState<D>, SagaEvent> current(CommandResult<SagaState<D>, SagaEvent> duplicate) {
        AggregateState<SagaState<D>> now = repository.find(duplicate.state().streamId().id())
                .orElse(duplicate.state());
        return new CommandResult<>(now, List.of(), duplicate.attempts(), true);
    }

    /**
     * A subscriber that starts a saga for each event of the given class.
     *
     * @param name the subscriber's name (a relay without checkpoints, ADR 0011: the saga's id is the event's)
     * @param data the saga data for the event
     */
    public <E, X extends E> Subscriber starter(String name, Aggregate<?, ?, E> aggregate, Class<X> eventClass,
                                              Function<EventEnvelope<X>, D> data) {
        return starter(name, aggregate, eventClass, data, null);
    }

    /**
     * A subscriber that starts a saga for each event of the given class, decoding the aggregate's personal fields
     * with {@code keys} (ADR 0008; a forgotten subject's as placeholders). Saga data must not carry personal data:
     * it is stored in plain text in the saga's events and SQS messages.
     */
    public <E, X extends E> Subscriber starter(String name, Aggregate<?, ?, E> aggregate, Class<X> eventClass,
                                              Function<EventEnvelope<X>, D> data,
                                              dev.nosqles.privacy.SubjectKeys keys) {
        // no checkpoints (ADR 0011): the saga's id is the event's, and a second start of it is answered by the
        // saga's first commit (a failed conditional write) without a second saga
        return Subscriber.builder(name).withoutCheckpoints().subjectKeys(keys)
                .on(aggregate, Set.of(eventClass), (event, ctx) -> {
            @SuppressWarnings("unchecked")
            EventEnvelope<X> typed = (EventEnvelope<X>) event;
            // the saga continues the trace of the request that caused the event (a stream does not carry it)
            EventMetadata meta = EventMetadata.empty().withCorrelationId(event.metadata().correlationId())
                    .withPrincipal(event.metadata().principal()).withMessageSentAt(event.timestamp())
                    .withTraceHeader(event.metadata().traceHeader());
            start(event.eventId().toString(), data.apply(typed), meta);
        }).build();
    }

    /**
     * Handles a message from the reply channel: a reply goes to its saga (a duplicate is dropped); a deadline
     * that is due becomes {@code DeadlineExpired}, one that came early (deadlines beyond {@link
     * SagaMessageSender#MAX_DELAY}) is scheduled again for the rest of its delay.
     *
     * @return what the saga did; empty when a deadline was re-scheduled
     * @throws SagaMessageException the message is a command, or of another saga type
     * @throws dev.nosqles.store.StreamNotFoundException the saga does not exist
     */
    public Optional<SagaResult<D>> handle(SagaMessage message) {
        if (!message.sagaType().equals(definition.type())) {
            throw new SagaMessageException(kind(message), "sagaType", "is not " + definition.type());
        }
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, message.sagaId())
                .put(LogContext.MESSAGE_ID, message.messageId())
                .put(LogContext.CORRELATION_ID, message.correlationId())) {
            return handleOwn(message).map(this::result);
        }
    }

    private Optional<CommandResult<SagaState<D>, SagaEvent>> handleOwn(SagaMessage message) {
        EventMetadata meta = metadata(message);
        Instant now = clock.instant();
        return switch (message) {
            case ReplyMessage reply -> Optional.of(track(repository.update(reply.sagaId(),
                    new HandleReply(reply.reply(), reply.messageId(), now), meta), meta.correlationId()));
            case DeadlineMessage deadline -> {
                if (now.isBefore(deadline.deadline())) {
                    schedule(deadline, now);
                    yield Optional.empty();
                }
                // a deadline of a command the saga no longer waits for (answered, abandoned, or the saga ended) can
                // never act again: answered from a read, nothing recorded, the index left to the commit that moved
                // the saga on (the sweeper repairs a stale entry)
                Optional<AggregateState<SagaState<D>>> current = repository.find(deadline.sagaId());
                if (current.isPresent() && current.get().state().neverAwaits(deadline.commandMessageId())) {
                    yield Optional.of(new CommandResult<>(current.get(), List.of(), 1, false));
                }
                yield Optional.of(actOnDeadline(current, deadline.sagaId(), deadline.commandMessageId(), now, meta));
            }
            case CommandMessage command ->
                    throw new SagaMessageException("command", "kind", "is not a reply or deadline");
        };
    }

    /**
     * What the orchestrator's repository is told about a reply or deadline message. A deadline's id can only be
     * recorded once it is due (an early one is re-scheduled, the sweeper acts only on what is past due), so its
     * due time, not the command's, bounds the search for an earlier delivery: a deadline (or a chain of re-sends)
     * longer than the deduplication horizon still fires. The correlation id is the message's: the saga's own
     * (its start's), which the participant copied into its reply.
     */
    EventMetadata metadata(SagaMessage message) {
        Instant sentAt = message instanceof DeadlineMessage deadline ? deadline.deadline() : message.sentAt();
        return EventMetadata.empty().withMessageId(message.messageId())
                .withCorrelationId(message.correlationId()).withPrincipal("saga:" + definition.type())
                .withMessageSentAt(sentAt);
    }

    /**
     * A due deadline of a command the saga awaits, from its message or the sweeper ({@code meta} says which): the
     * reply the participant recorded is decided on if there is one (ADR 0016); else {@code DeadlineExpired}, told
     * whether the command is to be re-sent rather than given up.
     *
     * @param current the saga as loaded, to look for its participant's answer; empty: no look
     */
    private CommandResult<SagaState<D>, SagaEvent> actOnDeadline(Optional<AggregateState<SagaState<D>>> current,
                                                                String sagaId, String commandMessageId, Instant now,
                                                                EventMetadata meta) {
        Answer answer = current.map(saga -> participantAnswer(saga.state(), commandMessageId, now))
                .orElse(Answer.NONE);
        if (answer.reply() != null) {
            Optional<CommandResult<SagaState<D>, SagaEvent>> taken = takeLateReply(answer.reply(), now);
            if (taken.isPresent()) {
                return taken.get();
            }
        }
        CommandResult<SagaState<D>, SagaEvent> result = repository.update(sagaId,
                new DeadlineExpired(commandMessageId, now, answer.answered()), meta);
        if (!result.duplicate() && result.events().stream()
                .anyMatch(e -> e.event() instanceof SagaCommandEvent command && command.attempt() > 0)) {
            repository.metrics().increment(Metric.SAGA_COMMANDS_RESENT);
        }
        return track(result, meta.correlationId());
    }

    /**
     * What the participant of an awaited command has done about it, as a deadline that is about to act finds it.
     *
     * @param answered the command is to be re-sent rather than given up ({@link DeadlineExpired#answered()}): the
     *        participant recorded it, or it is busy (its queue holds messages); the decider re-sends only while
     *        re-sends remain
     * @param reply the reply it recorded with the command (its {@code nosqles.SagaReplyRequested}), to be decided on
     *        now; null when it recorded none (or did not answer)
     */
    private record Answer(boolean answered, ReplyMessage reply) {
        static final Answer NONE = new Answer(false, null);
    }

    /**
     * Whether the participant of the command the saga awaits has recorded it, and the reply it recorded (ADR 0013,
     * ADR 0016): its channel names the participant's aggregate type, and one Query of the target's stream, from the
     * newest commit back to when the command was first decided, finds the command's message id; one more Query
     * reads that commit for its reply request. Only asked when a deadline is about to act.
     */
    private Answer participantAnswer(SagaState<D> saga, String commandMessageId, Instant now) {
        // only a deadline that will act: awaited and due
        if (participants == null || !saga.awaits(commandMessageId) || saga.deadline() == null
                || now.isBefore(saga.deadline()) || saga.step() < 0 || saga.step() >= definition.steps().size()) {
            return Answer.NONE;
        }
        SagaDefinition.Step<D> step = definition.steps().get(saga.step());
        Optional<? extends SagaDefinition.Action<D, ?>> action = saga.status() == SagaStatus.COMPENSATING
                ? step.compensation() : step.invocation();
        if (action.isEmpty() || action.get().channel().participant().isEmpty()) {
            return Answer.NONE;
        }
        StreamId target = StreamId.of(action.get().channel().participant().get(),
                action.get().target().apply(saga.data()));
        // the participant's clock may run behind the saga's: as the participant allows for when it looks up a command
        Instant since = saga.awaitingSince() != null
                ? saga.awaitingSince().minus(repository.clockSkewAllowance()) : Instant.EPOCH;
        Optional<EventStore.MessageCommit> commit = participants.findMessageCommit(target, commandMessageId,
                Long.MAX_VALUE, since);
        if (commit.isEmpty()) {
            return busy(saga, action.get().channel().name(), target, commandMessageId);
        }
        Optional<ReplyMessage> recorded = recordedReply(target, commit.get(), saga.sagaId(), commandMessageId);
        if (recorded.isPresent()) {
            LOG.info("saga {} {}: {} answered {}, its reply is late: taken from the {}'s commit",
                    definition.type(), saga.sagaId(), target.type(), commandMessageId, target.type());
            return new Answer(true, recorded.get());
        }
        if (saga.attempt() >= definition.maxResends()) {
            return Answer.NONE;
        }
        LOG.info("saga {} {}: {} answered {}, its reply is late: re-sent rather than given up (attempt {} of {})",
                definition.type(), saga.sagaId(), target.type(), commandMessageId, saga.attempt() + 1,
                definition.maxResends());
        return new Answer(true, null);
    }

    /**
     * A participant without a record of the command, while its channel's queue holds messages, is busy rather than
     * silent (ADR 0016): the command may still wait in that queue. It is re-sent, as an answered one is, while
     * re-sends remain; when they are spent, or when nothing waits (or nobody can tell), the deadline acts.
     */
    private Answer busy(SagaState<D> saga, String channel, StreamId target, String commandMessageId) {
        if (saga.attempt() >= definition.maxResends()) {
            return Answer.NONE;
        }
        OptionalLong waiting = backlog.waiting(channel);
        if (waiting.isEmpty() || waiting.getAsLong() <= 0) {
            return Answer.NONE;
        }
        LOG.info("saga {} {}: {} has not answered {} yet and {} message(s) wait on {}: busy, re-sent rather than "
                        + "given up (attempt {} of {})", definition.type(), saga.sagaId(), target.type(),
                commandMessageId, waiting.getAsLong(), channel, saga.attempt() + 1, definition.maxResends());
        return new Answer(true, null);
    }

    /**
     * The reply the participant recorded in the commit that answered the command: the {@code
     * nosqles.SagaReplyRequested} pseudo event for this saga and command, read as the participant's reply sender
     * reads it (its id is the reply's message id). Empty when the commit holds none (a participant that records
     * no reply request) or one that cannot be read.
     */
    private Optional<ReplyMessage> recordedReply(StreamId target, EventStore.MessageCommit commit, String sagaId,
                                                 String commandMessageId) {
        List<RecordedEvent> events = participants.read(target, ReadRequest.from(commit.firstVersion())
                .withToVersion(commit.lastVersion())).events();
        for (RecordedEvent event : events) {
            if (!SagaParticipant.REPLY_REQUESTED.equals(event.type())) {
                continue;
            }
            ReplyMessage reply;
            try {
                reply = SagaParticipant.requestedReply(event);
            } catch (SagaMessageException unreadable) {
                continue; // another reply request of the commit may be this saga's
            }
            if (reply.sagaType().equals(definition.type()) && reply.sagaId().equals(sagaId)
                    && commandMessageId.equals(reply.inReplyTo())) {
                return Optional.of(reply);
            }
        }
        return Optional.empty();
    }

    /**
     * Decides on a reply taken from the participant's commit, as if it had arrived: with its own message id, so the
     * reply itself, when it comes, is a duplicate; the deadline that found it is not recorded (the saga no longer
     * awaits the command, so the deadline is moot when it comes again).
     */
    private Optional<CommandResult<SagaState<D>, SagaEvent>> takeLateReply(ReplyMessage reply, Instant now) {
        EventMetadata meta = metadata(reply);
        CommandResult<SagaState<D>, SagaEvent> result;
        try {
            result = repository.update(reply.sagaId(), new HandleReply(reply.reply(), reply.messageId(), now), meta);
        } catch (MessageTooOldException old) {
            // answered before the saga's deduplication horizon: the reply cannot be recorded as exactly once; the
            // deadline acts as for an answer without a reply request (re-sent while re-sends remain)
            LOG.warn("saga {} {}: the reply to {} recorded by its participant is older than the deduplication "
                    + "horizon; the deadline acts instead", definition.type(), reply.sagaId(), reply.inReplyTo());
            return Optional.empty();
        } catch (SagaMessageException unreadable) {
            // a reply this saga cannot read (a participant deployed with another reply shape): it fails the same way
            // however often it is taken, and the reply itself is dead-lettered; the deadline acts, so that the saga
            // goes on (re-sent while re-sends remain, then given up and compensated) instead of waiting forever
            LOG.warn("saga {} {}: the reply to {} recorded by its participant cannot be read ({}); the deadline acts"
                    + " instead", definition.type(), reply.sagaId(), reply.inReplyTo(), unreadable.getMessage());
            return Optional.empty();
        }
        if (!result.duplicate() && !result.events().isEmpty()) {
            repository.metrics().increment(Metric.SAGA_LATE_REPLIES_TAKEN);
        }
        return Optional.of(track(result, meta.correlationId()));
    }

    /**
     * A sender for a participant's reply sender that runs in the same process as this manager (as in the reference
     * application's stream function, ADR 0013): a reply to a saga of this manager's type is handled here and now
     * ({@link #handle}), without its queue: no send, receive and delete, no invocation of the reply function. If
     * handling it fails, for whatever reason (the saga is busy beyond its retries, it does not exist, a store
     * fails), the reply goes to its queue after all, where it is retried and, if it can never be handled,
     * dead-lettered as before; and if that send fails too, the caller fails (the stream batch is retried).
     * Everything else (commands, deadlines, replies to other saga types) goes to {@code queue}. Exactly once in
     * effect as through the queue: the saga records the reply's message id, so a reply handled here and again from
     * the queue (or from a retried batch) acts once.
     */
    public SagaMessageSender inProcessReplies(SagaMessageSender queue) {
        Objects.requireNonNull(queue, "queue");
        return new SagaMessageSender() {
            @Override
            public void send(CommandMessage command) {
                queue.send(command);
            }

            @Override
            public void send(ReplyMessage reply) {
                if (!reply.sagaType().equals(definition.type())) {
                    queue.send(reply);
                    return;
                }
                try {
                    handle(reply);
                } catch (RuntimeException e) {
                    // the message names the exception's class only: its message may quote the reply
                    LOG.warn("saga {} reply {} not handled in process ({}): sent to its queue", reply.sagaId(),
                            reply.messageId(), e.getClass().getSimpleName());
                    queue.send(reply);
                    repository.metrics().increment(Metric.IN_PROCESS_FALLBACKS);
                }
            }

            @Override
            public void schedule(DeadlineMessage deadline, Duration delay) {
                queue.schedule(deadline, delay);
            }
        };
    }

    /**
     * The sweeper's turn on a saga the index says is past due: {@code DeadlineExpired} with the id of that
     * attempt's deadline message (whichever of the two comes second is a duplicate) and principal {@value
     * #SWEEPER_PRINCIPAL}, so the action is in the saga's history. Then the index is brought up to date (a stale
     * entry is repaired or removed). The action carries the saga's correlation id kept in the entry (the saga's id
     * for an entry written before entries kept it: such an entry is replaced at the saga's next commit).
     *
     * @return what the saga did; empty when the saga does not exist (its entry is removed)
     */
    public Optional<SagaResult<D>> expire(SagaDeadlines.Entry due) {
        if (!due.sagaType().equals(definition.type())) {
            throw new IllegalArgumentException("the entry is not of saga type " + definition.type());
        }
        String correlationId = due.correlationId() != null ? due.correlationId() : due.sagaId();
        EventMetadata meta = EventMetadata.empty()
                .withMessageId(SagaIds.deadlineMessageId(due.commandMessageId(), due.attempt()))
                .withCorrelationId(correlationId).withPrincipal(SWEEPER_PRINCIPAL).withMessageSentAt(due.dueAt());
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, due.sagaId())
                .put(LogContext.CORRELATION_ID, correlationId)) {
            Instant now = clock.instant();
            // the saga is loaded only to look for its participant's answer (none to look for: no load)
            Optional<AggregateState<SagaState<D>>> current = participants == null ? Optional.empty()
                    : repository.find(due.sagaId());
            return Optional.of(result(actOnDeadline(current, due.sagaId(), due.commandMessageId(), now, meta)));
        } catch (StreamNotFoundException missing) {
            deadlines.remove(due.sagaId(), Long.MAX_VALUE);
            return Optional.empty();
        }
    }

    /**
     * Records in the index what the saga waits for now (or that it waits for nothing).
     *
     * @param correlationId the saga's correlation id, kept in the entry for the sweeper
     */
    private CommandResult<SagaState<D>, SagaEvent> track(CommandResult<SagaState<D>, SagaEvent> result,
                                                        String correlationId) {
        AggregateState<SagaState<D>> current = result.state();
        SagaState<D> saga = current.state();
        if (!saga.exists()) {
            return result;
        }
        String sagaId = current.streamId().id();
        if (!result.duplicate() && !result.events().isEmpty() && saga.status().finished()) {
            // the command that finished it (a finished saga takes no further events)
            repository.metrics().increment(saga.status() == SagaStatus.COMPLETED ? Metric.SAGAS_COMPLETED
                    : Metric.SAGAS_FAILED);
            LOG.info("saga {} {} ended {}", definition.type(), sagaId, saga.status());
        }
        if (saga.status().finished() || saga.awaitingCommandId() == null || saga.deadline() == null) {
            deadlines.remove(sagaId, current.version());
        } else {
            // with sweeper deadlines, unarmed: the command sender arms it when it sends the command (ADR 0013)
            Instant due = unsentAllowance == null ? saga.deadline() : saga.deadline().plus(unsentAllowance);
            deadlines.put(new SagaDeadlines.Entry(sagaId, definition.type(), saga.awaitingCommandId(),
                    saga.attempt(), roundedUpToMillis(due), current.version(), saga.awaitingSince(),
                    correlationId));
        }
        return result;
    }

    /**
     * How late the command sender may relay a command (after the commit that decided it) before its deadline moves
     * by that delay: a stream backlog must not eat the participant's window (ADR 0011). Small enough to catch a
     * backlog, large enough that an ordinary relay (well under a second) costs no extra index write.
     */
    public static final Duration SEND_DELAY_ALLOWANCE = Duration.ofSeconds(5);

    /**
     * The stream subscriber that sends each {@code SagaCommandEvent} of this saga type to its channel, after
     * scheduling its deadline (so that a command never leaves without one): a deadline message, or with sweeper
     * deadlines the armed index entry. Both messages carry the event's
     * commit timestamp as {@code sentAt} (a re-send: when the command was first decided) and the event's
     * correlation id (the saga's: the one of its start, carried by every orchestrator commit). Name:
     * {@code saga-<type>-commands}. The events are read through the orchestrator's event types and upcasters, as
     * when a saga is loaded; the saga's other events are not decoded.
     */
    public Subscriber commandSender() {
        // no checkpoints (ADR 0011): a command sent twice carries one message id, which its participant records;
        // a deadline scheduled twice carries one id, which the saga records
        return Subscriber.builder("saga-" + definition.type() + "-commands").withoutCheckpoints()
                .on(repository.aggregate(), Set.<Class<? extends SagaEvent>>of(SagaCommandEvent.class),
                        (event, ctx) -> {
                            if (event.event() instanceof SagaCommandEvent sent) {
                                sendCommand(event, sent);
                            }
                        })
                .build();
    }

    private void sendCommand(EventEnvelope<SagaEvent> event, SagaCommandEvent sent) {
        String sagaId = event.streamId().id();
        String correlationId = event.metadata().correlationId();
        Instant sentAt = sent.firstSentAt() != null && sent.firstSentAt().isBefore(event.timestamp())
                ? sent.firstSentAt() : event.timestamp();
        if (sent.deadline() != null) {
            Instant now = clock.instant();
            Instant deadline = sent.deadline();
            Duration late = Duration.between(event.timestamp(), now);
            if (unsentAllowance != null) {
                // sweeper deadlines (ADR 0013): the deadline counts from this send; no message
                deadlines.arm(sagaId, sent.commandMessageId(), sent.attempt(),
                        roundedUpToMillis(late.isNegative() ? deadline : deadline.plus(late)));
            } else {
                if (late.compareTo(SEND_DELAY_ALLOWANCE) > 0) {
                    // the stream relayed the command late (a backlog): the participant gets its whole window from
                    // now, and the sweeper's entry moves with it (ADR 0011)
                    deadline = roundedUpToMillis(deadline.plus(late));
                    deadlines.postpone(sagaId, sent.commandMessageId(), sent.attempt(), deadline);
                }
                schedule(new DeadlineMessage(SagaIds.deadlineMessageId(sent.commandMessageId(), sent.attempt()),
                        definition.type(), sagaId, definition.replyChannel(), sent.commandMessageId(), deadline,
                        sentAt, correlationId), now);
            }
        }
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, sagaId)
                .put(LogContext.CORRELATION_ID, correlationId)) {
            sender.send(new CommandMessage(sent.commandMessageId(), definition.type(), sagaId,
                    definition.replyChannel(), sent.channel(), sent.target(), sent.commandType(), sent.command(),
                    sent.attempt(), sentAt, correlationId));
            LOG.info("saga {} sent {} ({}) to {}", sagaId, sent.commandType(), sent.commandMessageId(),
                    sent.channel());
        }
    }

    /**
     * The index keeps milliseconds: rounded up, so the sweeper never sees a saga as due before its deadline (a
     * deadline acted on early would record its message id without effect and could never fire again).
     */
    static Instant roundedUpToMillis(Instant instant) {
        Instant millis = instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return millis.equals(instant) ? millis : millis.plusMillis(1);
    }

    private void schedule(DeadlineMessage deadline, Instant now) {
        Duration remaining = Duration.between(now, deadline.deadline());
        // whole seconds, rounded up, so that a deadline never arrives early because of rounding
        long seconds = Math.max(0, (remaining.toMillis() + 999) / 1000);
        Duration delay = Duration.ofSeconds(Math.min(seconds, SagaMessageSender.MAX_DELAY.toSeconds()));
        sender.schedule(deadline, delay);
    }

    private static String kind(SagaMessage message) {
        return switch (message) {
            case CommandMessage c -> "command";
            case ReplyMessage r -> "reply";
            case DeadlineMessage d -> "deadline";
        };
    }
}
