package dev.nosqles.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.internal.Json;
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
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.subscription.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
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
 * sender schedules a command's deadline message <em>before</em> it sends the command.
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SagaManager.class);

    public SagaManager(SagaDefinition<D> definition,
                       AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository,
                       SagaMessageSender sender, Clock clock) {
        this(definition, repository, sender, SagaDeadlines.none(), clock);
    }

    /**
     * @param deadlines the index of running sagas by due time that the {@link SagaSweeper} reads
     */
    public SagaManager(SagaDefinition<D> definition,
                       AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository,
                       SagaMessageSender sender, SagaDeadlines deadlines, Clock clock) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!repository.aggregate().type().equals(definition.type())) {
            throw new IllegalArgumentException("the repository is not of saga type " + definition.type());
        }
    }

    /** A manager with a repository of its own over {@code store}, without a deadline index. */
    public static <D> SagaManager<D> create(SagaDefinition<D> definition, EventStore store, SnapshotStore snapshots,
                                            SagaMessageSender sender, Clock clock) {
        return create(definition, store, snapshots, sender, SagaDeadlines.none(), clock);
    }

    /** A manager with a repository of its own over {@code store}, keeping {@code deadlines}. */
    public static <D> SagaManager<D> create(SagaDefinition<D> definition, EventStore store, SnapshotStore snapshots,
                                            SagaMessageSender sender, SagaDeadlines deadlines, Clock clock) {
        return create(definition, store, snapshots, sender, deadlines, clock, dev.nosqles.metrics.Metrics.none());
    }

    /**
     * A manager with a repository of its own over {@code store}, keeping {@code deadlines}; the repository and the
     * manager (sagas started, completed, failed) count into {@code metrics}.
     */
    public static <D> SagaManager<D> create(SagaDefinition<D> definition, EventStore store, SnapshotStore snapshots,
                                            SagaMessageSender sender, SagaDeadlines deadlines, Clock clock,
                                            dev.nosqles.metrics.Metrics metrics) {
        return new SagaManager<>(definition, AggregateRepository.builder(new SagaOrchestrator<>(definition))
                .eventStore(store).snapshotStore(snapshots).clock(clock).metrics(metrics).build(), sender,
                deadlines, clock);
    }

    /** For SnapStart / CRaC priming: loads a saga that never exists (one Query). Writes nothing. */
    public void prime() {
        find("snapstart-priming");
    }

    public SagaDefinition<D> definition() {
        return definition;
    }

    public AggregateRepository<SagaState<D>, SagaCommand, SagaEvent> repository() {
        return repository;
    }

    /** The id of the saga the event with this id starts. */
    public String sagaId(String triggeringEventId) {
        return SagaIds.sagaId(definition.type(), triggeringEventId);
    }

    /** The saga's current state, if it exists. */
    public Optional<AggregateState<SagaState<D>>> find(String sagaId) {
        return repository.find(sagaId);
    }

    /**
     * Starts the saga of an event. Idempotent: the same event again returns a duplicate result.
     *
     * @param metadata the correlation id and principal to keep; the message id is the event id
     */
    public CommandResult<SagaState<D>, SagaEvent> start(String triggeringEventId, D data, EventMetadata metadata) {
        String sagaId = sagaId(triggeringEventId);
        EventMetadata given = metadata == null ? EventMetadata.empty() : metadata;
        // without a correlation id the saga correlates by its triggering event's id (as the repository would)
        EventMetadata meta = given.withMessageId(triggeringEventId).withCausationId(triggeringEventId)
                .withCorrelationId(given.correlationId() != null ? given.correlationId() : triggeringEventId);
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, sagaId)
                .put(LogContext.CORRELATION_ID, meta.correlationId())) {
            CommandResult<SagaState<D>, SagaEvent> result = track(repository.create(sagaId,
                    new StartSaga<>(sagaId, data, clock.instant()), meta), meta.correlationId());
            if (!result.duplicate()) {
                repository.metrics().increment(Metric.SAGAS_STARTED);
                LOG.info("saga {} {} started", definition.type(), sagaId);
            }
            return result;
        }
    }

    /**
     * A subscriber that starts a saga for each event of the given class.
     *
     * @param name the subscriber's name (its checkpoints)
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
        return Subscriber.builder(name).subjectKeys(keys).on(aggregate, Set.of(eventClass), (event, ctx) -> {
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
     * @return what the orchestrator did; empty when a deadline was re-scheduled
     */
    public Optional<CommandResult<SagaState<D>, SagaEvent>> handle(SagaMessage message) {
        if (!message.sagaType().equals(definition.type())) {
            throw new SagaMessageException(kind(message), "sagaType", "is not " + definition.type());
        }
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, message.sagaId())
                .put(LogContext.MESSAGE_ID, message.messageId())
                .put(LogContext.CORRELATION_ID, message.correlationId())) {
            return handleOwn(message);
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
                yield Optional.of(track(repository.update(deadline.sagaId(),
                        new DeadlineExpired(deadline.commandMessageId(), now), meta), meta.correlationId()));
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
     * The sweeper's turn on a saga the index says is past due: {@code DeadlineExpired} with the id of that
     * attempt's deadline message (whichever of the two comes second is a duplicate) and principal {@value
     * #SWEEPER_PRINCIPAL}, so the action is in the saga's history. Then the index is brought up to date (a stale
     * entry is repaired or removed). The action carries the saga's correlation id kept in the entry (the saga's id
     * for an entry written before entries kept it: such an entry is replaced at the saga's next commit).
     *
     * @return what the orchestrator did; empty when the saga does not exist (its entry is removed)
     */
    public Optional<CommandResult<SagaState<D>, SagaEvent>> expire(SagaDeadlines.Entry due) {
        if (!due.sagaType().equals(definition.type())) {
            throw new IllegalArgumentException("the entry is not of saga type " + definition.type());
        }
        String correlationId = due.correlationId() != null ? due.correlationId() : due.sagaId();
        EventMetadata meta = EventMetadata.empty()
                .withMessageId(SagaIds.deadlineMessageId(due.commandMessageId(), due.attempt()))
                .withCorrelationId(correlationId).withPrincipal(SWEEPER_PRINCIPAL).withMessageSentAt(due.dueAt());
        try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, due.sagaId())
                .put(LogContext.CORRELATION_ID, correlationId)) {
            return Optional.of(track(repository.update(due.sagaId(),
                    new DeadlineExpired(due.commandMessageId(), clock.instant()), meta), correlationId));
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
            deadlines.put(new SagaDeadlines.Entry(sagaId, definition.type(), saga.awaitingCommandId(),
                    saga.attempt(), roundedUpToMillis(saga.deadline()), current.version(), saga.awaitingSince(),
                    correlationId));
        }
        return result;
    }

    /**
     * The stream subscriber that sends each {@code SagaCommandEvent} of this saga type to its channel, after
     * scheduling its deadline (so that a command never leaves without one). Both messages carry the event's
     * commit timestamp as {@code sentAt} (a re-send: when the command was first decided) and the event's
     * correlation id (the saga's: the one of its start, carried by every orchestrator commit). Name:
     * {@code saga-<type>-commands}.
     */
    public Subscriber commandSender() {
        return Subscriber.builder("saga-" + definition.type() + "-commands")
                .onRaw(definition.type(), (event, ctx) -> sendCommand(event))
                .build();
    }

    private void sendCommand(RecordedEvent event) throws JsonProcessingException {
        if (!"SagaCommandEvent".equals(event.type())) {
            return;
        }
        SagaCommandEvent sent = Json.mapper().readValue(event.data(), SagaCommandEvent.class);
        String sagaId = event.streamId().id();
        String correlationId = event.metadata().correlationId();
        Instant sentAt = sent.firstSentAt() != null && sent.firstSentAt().isBefore(event.timestamp())
                ? sent.firstSentAt() : event.timestamp();
        if (sent.deadline() != null) {
            schedule(new DeadlineMessage(SagaIds.deadlineMessageId(sent.commandMessageId(), sent.attempt()),
                    definition.type(), sagaId, definition.replyChannel(), sent.commandMessageId(), sent.deadline(),
                    sentAt, correlationId), clock.instant());
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
