package dev.nosqles.saga;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.aggregate.Upcasters;
import dev.nosqles.saga.SagaCommand.DeadlineExpired;
import dev.nosqles.saga.SagaCommand.HandleReply;
import dev.nosqles.saga.SagaCommand.StartSaga;
import dev.nosqles.saga.SagaDefinition.Action;
import dev.nosqles.saga.SagaDefinition.Rendered;
import dev.nosqles.saga.SagaDefinition.Step;
import dev.nosqles.saga.SagaEvent.SagaCommandEvent;
import dev.nosqles.saga.SagaEvent.SagaOrchestratorCreated;
import dev.nosqles.saga.SagaEvent.SagaOrchestratorUpdated;
import dev.nosqles.saga.internal.SagaIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The event-sourced orchestrator of one saga type: an ordinary aggregate (type = the saga type) in the same
 * events table, whose events say which command to send next. It decides; the stream function sends.
 *
 * <ul>
 *   <li>Forward: each step that invokes a participant emits a {@link SagaCommandEvent} and waits for its reply;
 *       a successful reply moves to the next step; after the last step the saga is {@code COMPLETED}.</li>
 *   <li>A failed reply: the compensations of the earlier steps run in reverse order, each waiting for its reply;
 *       then the saga is {@code COMPENSATED}. A compensation's reply moves on whatever its outcome: compensations
 *       must be accepted (idempotent, harmless when there is nothing to undo).</li>
 *   <li>Every awaited command has a deadline (the step's, else the definition's default). When it passes, a
 *       forward step with a compensation fails like a rejection, and its own compensation is sent too, without
 *       waiting for its reply (its participant is the one not answering; the FIFO queue delivers the undo after
 *       the late command, and a participant that finds nothing to undo leaves a countermeasure that refuses
 *       the late command). A command that cannot be compensated (a forward step without compensation, or a
 *       compensation) is re-sent with the same message id, up to {@link SagaDefinition#maxResends()} times,
 *       then the saga ends {@code FAILED}.</li>
 *   <li>A success reply to a command given up at its deadline sends that step's compensation again (fresh id
 *       derived from the reply's id). Any other reply or deadline for a command the saga is not waiting for
 *       produces no events.</li>
 * </ul>
 */
final class SagaOrchestrator<D> implements Aggregate<SagaState<D>, SagaCommand, SagaEvent> {
    private static final EventTypes<SagaEvent> EVENT_TYPES = EventTypes.<SagaEvent>builder()
            .add("SagaOrchestratorCreated", 1, SagaOrchestratorCreated.class)
            .add("SagaCommandEvent", 1, SagaCommandEvent.class)
            .add("SagaOrchestratorUpdated", 1, SagaOrchestratorUpdated.class)
            .build();

    private final SagaDefinition<D> definition;
    private final Upcasters upcasters;

    SagaOrchestrator(SagaDefinition<D> definition) {
        this(definition, Upcasters.none());
    }

    /** @param upcasters of the saga's stored events, applied wherever they are read (loads, the command sender) */
    SagaOrchestrator(SagaDefinition<D> definition, Upcasters upcasters) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.upcasters = Objects.requireNonNull(upcasters, "upcasters");
    }

    public SagaDefinition<D> definition() {
        return definition;
    }

    @Override
    public String type() {
        return definition.type();
    }

    @Override
    public SagaState<D> initialState() {
        return SagaState.none();
    }

    @Override
    public List<? extends SagaEvent> process(SagaState<D> state, SagaCommand command) {
        return switch (command) {
            case StartSaga<?> start -> start(state, start);
            case HandleReply reply -> reply(state, reply);
            case DeadlineExpired expired -> deadline(state, expired);
        };
    }

    private List<SagaEvent> start(SagaState<D> state, StartSaga<?> start) {
        if (state.exists()) {
            throw new SagaLifecycleViolation(type(), "saga-already-started", "the saga has already started");
        }
        D data = definition.dataClass().cast(start.data());
        List<SagaEvent> events = new ArrayList<>();
        events.add(new SagaOrchestratorCreated(type(), start.sagaId(), definition.encodeData(data)));
        forward(start.sagaId(), data, 0, start.now(), List.of(), events);
        return events;
    }

    private List<SagaEvent> reply(SagaState<D> state, HandleReply handle) {
        requireStarted(state);
        SagaReply reply = handle.reply();
        if (!state.awaits(reply.inReplyTo())) {
            return late(state, handle);
        }
        List<SagaEvent> events = new ArrayList<>();
        switch (state.status()) {
            case RUNNING -> {
                Step<D> step = definition.steps().get(state.step());
                switch (reply.outcome()) {
                    case SUCCESS -> forward(state.sagaId(), step.afterReply(state.data(), reply.data()),
                            state.step() + 1, handle.now(), state.abandoned(), events);
                    case FAILURE -> compensate(state.sagaId(), state.data(), state.step() - 1,
                            step.name() + ":" + (reply.reason() == null ? "failed" : reply.reason()), handle.now(),
                            state.abandoned(), events);
                }
            }
            case COMPENSATING -> compensate(state.sagaId(), state.data(), state.step() - 1, state.reason(),
                    handle.now(), state.abandoned(), events);
            case COMPLETED, COMPENSATED, FAILED -> {
                return List.of(); // awaits nothing; unreachable through awaits()
            }
        }
        return events;
    }

    /**
     * A reply the saga does not wait for. A success to a command whose step was given up at its deadline means
     * the participant did it after all, after (or without) the compensation sent then: the compensation is sent
     * again, with a fresh id derived from the reply's (the first may have been consumed already), not awaited.
     * Anything else is dropped.
     */
    private List<SagaEvent> late(SagaState<D> state, HandleReply handle) {
        SagaReply reply = handle.reply();
        if (reply.outcome() != ReplyOutcome.SUCCESS || !state.abandoned().contains(reply.inReplyTo())) {
            return List.of();
        }
        List<Step<D>> steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step<D> step = steps.get(i);
            if (SagaIds.commandMessageId(state.sagaId(), i, false).equals(reply.inReplyTo())
                    && step.compensation().isPresent()) {
                String id = SagaIds.lateCompensationId(handle.replyMessageId() != null ? handle.replyMessageId()
                        : "in-reply-to:" + reply.inReplyTo());
                Rendered rendered = step.compensation().get().render(state.data());
                return List.of(new SagaCommandEvent(id, step.name(), true, rendered.channel(), rendered.target(),
                        rendered.commandType(), rendered.command(), null, 0, null));
            }
        }
        return List.of();
    }

    /**
     * The awaited command's deadline passed (ADR 0005): a forward step with a compensation is compensated (its
     * own compensation sent too, not awaited); a command that cannot be compensated (a forward step without
     * one, or a compensation) is re-sent with the same message id and a new deadline, up to
     * {@link SagaDefinition#maxResends()} times, after which the saga ends {@code FAILED}. A command its participant
     * has answered ({@link DeadlineExpired#answered()}: the reply is late, not missing) is re-sent too, while re-sends
     * remain, whether or not it could be compensated: the participant answers the repeat from what it recorded.
     */
    private List<SagaEvent> deadline(SagaState<D> state, DeadlineExpired expired) {
        requireStarted(state);
        if (state.neverAwaits(expired.commandMessageId())
                || state.deadline() == null || expired.now().isBefore(state.deadline())) {
            return List.of();
        }
        Step<D> step = definition.steps().get(state.step());
        boolean compensating = state.status() == SagaStatus.COMPENSATING;
        List<SagaEvent> events = new ArrayList<>();
        boolean waitForTheAnswer = expired.answered() && state.attempt() < definition.maxResends();
        if (!compensating && step.compensation().isPresent() && !waitForTheAnswer) {
            List<String> abandoned = new ArrayList<>(state.abandoned());
            abandoned.add(state.awaitingCommandId());
            events.add(command(state.sagaId(), state.step(), step, true, step.compensation().get(), state.data(),
                    null));
            compensate(state.sagaId(), state.data(), state.step() - 1, step.name() + ":deadline-expired",
                    expired.now(), abandoned, events);
            return events;
        }
        String unanswered = step.name() + (compensating ? ":compensation-unanswered" : ":unanswered");
        if (state.attempt() >= definition.maxResends()) {
            String reason = compensating && state.reason() != null ? state.reason() + "; " + unanswered : unanswered;
            events.add(new SagaOrchestratorUpdated(definition.encodeData(state.data()), state.step(),
                    SagaStatus.FAILED, null, null, reason, state.attempt(), null, state.abandoned()));
            return events;
        }
        Action<D, ?> action = compensating ? step.compensation().orElseThrow() : step.invocation().orElseThrow();
        Instant deadline = expired.now().plus(definition.deadlineOf(step, compensating));
        int attempt = state.attempt() + 1;
        Rendered rendered = action.render(state.data());
        events.add(new SagaCommandEvent(state.awaitingCommandId(), step.name(), compensating, rendered.channel(),
                rendered.target(), rendered.commandType(), rendered.command(), deadline, attempt,
                state.awaitingSince()));
        events.add(new SagaOrchestratorUpdated(definition.encodeData(state.data()), state.step(), state.status(),
                state.awaitingCommandId(), deadline, state.reason(), attempt, state.awaitingSince(),
                state.abandoned()));
        return events;
    }

    private void requireStarted(SagaState<D> state) {
        if (!state.exists()) {
            throw new SagaLifecycleViolation(type(), "saga-not-started", "the saga has not started");
        }
    }

    /** Sends the command of the first invoking step at or after {@code from}, or completes. */
    private void forward(String sagaId, D data, int from, Instant now, List<String> abandoned,
                         List<SagaEvent> events) {
        List<Step<D>> steps = definition.steps();
        for (int i = from; i < steps.size(); i++) {
            Step<D> step = steps.get(i);
            if (step.invocation().isPresent()) {
                Instant deadline = now.plus(definition.deadlineOf(step, false));
                SagaCommandEvent sent = command(sagaId, i, step, false, step.invocation().get(), data, deadline);
                events.add(sent);
                events.add(new SagaOrchestratorUpdated(definition.encodeData(data), i, SagaStatus.RUNNING,
                        sent.commandMessageId(), deadline, null, 0, now, abandoned));
                return;
            }
        }
        events.add(new SagaOrchestratorUpdated(definition.encodeData(data), steps.size(), SagaStatus.COMPLETED,
                null, null, null, 0, null, abandoned));
    }

    /** Sends the compensation of the first compensating step at or before {@code from}, or ends compensated. */
    private void compensate(String sagaId, D data, int from, String reason, Instant now, List<String> abandoned,
                            List<SagaEvent> events) {
        List<Step<D>> steps = definition.steps();
        for (int i = from; i >= 0; i--) {
            Step<D> step = steps.get(i);
            if (step.compensation().isPresent()) {
                Instant deadline = now.plus(definition.deadlineOf(step, true));
                SagaCommandEvent sent = command(sagaId, i, step, true, step.compensation().get(), data, deadline);
                events.add(sent);
                events.add(new SagaOrchestratorUpdated(definition.encodeData(data), i, SagaStatus.COMPENSATING,
                        sent.commandMessageId(), deadline, reason, 0, now, abandoned));
                return;
            }
        }
        events.add(new SagaOrchestratorUpdated(definition.encodeData(data), -1, SagaStatus.COMPENSATED, null, null,
                reason, 0, null, abandoned));
    }

    private SagaCommandEvent command(String sagaId, int index, Step<D> step, boolean compensation,
                                     Action<D, ?> action, D data, Instant deadline) {
        Rendered rendered = action.render(data);
        return new SagaCommandEvent(SagaIds.commandMessageId(sagaId, index, compensation), step.name(),
                compensation, rendered.channel(), rendered.target(), rendered.commandType(), rendered.command(),
                deadline, 0, null);
    }

    @Override
    public SagaState<D> apply(SagaState<D> state, SagaEvent event) {
        return switch (event) {
            case SagaOrchestratorCreated created -> new SagaState<>(created.sagaId(),
                    definition.decodeData(created.data()), -1, SagaStatus.RUNNING, null, null, null);
            case SagaCommandEvent sent -> state;
            case SagaOrchestratorUpdated updated -> new SagaState<>(state.sagaId(),
                    definition.decodeData(updated.data()), updated.step(), updated.status(),
                    updated.awaitingCommandId(), updated.deadline(), updated.reason(), updated.attempt(),
                    updated.awaitingSince(), updated.abandoned());
        };
    }

    @Override
    public EventTypes<SagaEvent> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    public Upcasters upcasters() {
        return upcasters;
    }
}
