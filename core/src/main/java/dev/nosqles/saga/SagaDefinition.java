package dev.nosqles.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nosqles.internal.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An orchestrated saga as data: a type name (the orchestrator's aggregate type), the class of its data record and
 * ordered steps. Each step may <em>invoke</em> a participant (and wait for its reply, optionally with a deadline)
 * and may declare the <em>compensation</em> that undoes it. Steps run forward; the first failed reply or expired
 * deadline runs the compensations of the steps before it in reverse order (ADR 0005).
 *
 * <pre>{@code
 * SagaDefinition.builder("CreateOrderSaga", CreateOrderSagaData.class)
 *     .step("reject-order-on-failure")
 *         .compensate(ORDER, d -> d.orderId(), d -> new RejectOrder("credit-not-reserved"))
 *     .step("reserve-credit")
 *         .invoke(CUSTOMER, d -> d.customerId(), d -> new ReserveCredit(d.orderId(), d.orderTotal()))
 *         .deadline(Duration.ofSeconds(30))
 *         .compensate(CUSTOMER, d -> d.customerId(), d -> new ReleaseCredit(d.orderId()))
 *     .step("approve-order")
 *         .invoke(ORDER, d -> d.orderId(), d -> new ApproveOrder())
 *     .build();
 * }</pre>
 *
 * @param <D> the saga data (a record, stored as JSON in the orchestrator's events)
 */
public final class SagaDefinition<D> {
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final Pattern STEP = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    /** The reply channel of sagas that name none. */
    public static final String DEFAULT_REPLY_CHANNEL = "saga-replies";
    /** The deadline of steps (and compensations) that name none. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);
    /** How often a step without compensation, or a compensation, is re-sent before the saga gives up. */
    public static final int DEFAULT_MAX_RESENDS = 3;
    /**
     * The longest a step may wait in all, its deadline times its attempts: a re-sent command keeps the time it was
     * first sent, and participants deduplicate within 15 days ({@code AggregateRepository}'s default horizon),
     * so the last re-send must leave a day for a redrive.
     */
    public static final Duration MAX_RESEND_CHAIN = Duration.ofDays(14);

    private final String type;
    private final Class<D> dataClass;
    private final String replyChannel;
    private final List<Step<D>> steps;
    private final Duration defaultDeadline;
    private final int maxResends;

    private SagaDefinition(String type, Class<D> dataClass, String replyChannel, List<Step<D>> steps,
                           Duration defaultDeadline, int maxResends) {
        this.type = type;
        this.dataClass = dataClass;
        this.replyChannel = replyChannel;
        this.steps = List.copyOf(steps);
        this.defaultDeadline = defaultDeadline;
        this.maxResends = maxResends;
    }

    public static <D> Builder<D> builder(String type, Class<D> dataClass) {
        return new Builder<>(type, dataClass);
    }

    /** The saga type: the orchestrator's aggregate type. */
    public String type() {
        return type;
    }

    public Class<D> dataClass() {
        return dataClass;
    }

    /** Where participants send their replies (and the saga its deadlines). */
    public String replyChannel() {
        return replyChannel;
    }

    public List<Step<D>> steps() {
        return steps;
    }

    /** The deadline of every step and compensation that names none ({@link #DEFAULT_DEADLINE} unless set). */
    public Duration defaultDeadline() {
        return defaultDeadline;
    }

    /** How often an awaited command that cannot be compensated is re-sent before the saga ends {@code FAILED}. */
    public int maxResends() {
        return maxResends;
    }

    /** How long the saga waits for the reply to a step's command or to its compensation. */
    public Duration deadlineOf(Step<D> step, boolean compensation) {
        Duration own = compensation ? step.compensationDeadline() : step.deadline();
        return own == null ? defaultDeadline : own;
    }

    /** The channels the saga sends commands to. */
    public Set<Channel<?>> channels() {
        Set<Channel<?>> channels = new HashSet<>();
        for (Step<D> step : steps) {
            step.invocation().ifPresent(a -> channels.add(a.channel()));
            step.compensation().ifPresent(a -> channels.add(a.channel()));
        }
        return channels;
    }

    /** The channel with this name, if the saga uses it. */
    public Optional<Channel<?>> channel(String name) {
        return channels().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    String encodeData(D data) {
        try {
            return Json.mapper().writeValueAsString(Objects.requireNonNull(data, "data"));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise the data of saga " + type);
        }
    }

    D decodeData(String json) {
        try {
            return Json.mapper().readValue(json, dataClass);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored data of saga " + type + " cannot be read as "
                    + dataClass.getSimpleName() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * A command the saga sends, rendered from its data.
     *
     * @param <D> the saga data
     * @param <C> the participant's commands
     */
    public record Action<D, C>(Channel<C> channel, Function<D, String> target, Function<D, ? extends C> command) {
        public Action {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(command, "command");
        }

        /** The command for this data, on the wire. */
        public Rendered render(D data) {
            C c = command.apply(data);
            String targetId = target.apply(data);
            if (targetId == null || targetId.isBlank()) {
                throw new IllegalArgumentException("the target id of a " + channel.typeOf(c) + " is blank");
            }
            return new Rendered(channel.name(), targetId, channel.typeOf(c), channel.encode(c));
        }
    }

    /** A command on the wire: channel, target aggregate id, command type name and JSON. */
    public record Rendered(String channel, String target, String commandType, String command) {
    }

    /**
     * Reads a participant's reply data and folds it into the saga data.
     *
     * @param <D> the saga data
     * @param <R> the reply data (a record)
     */
    public record ReplyHandler<D, R>(Class<R> replyClass, BiFunction<D, R, D> update) {
        public ReplyHandler {
            Objects.requireNonNull(replyClass, "replyClass");
            Objects.requireNonNull(update, "update");
        }

        D apply(D data, String replyJson) {
            R reply;
            try {
                reply = Json.mapper().readValue(replyJson == null ? "{}" : replyJson, replyClass);
            } catch (JsonProcessingException e) {
                throw new SagaMessageException("reply", "data", "is not a valid " + replyClass.getSimpleName());
            }
            return Objects.requireNonNull(update.apply(data, reply), "onReply returned null data");
        }
    }

    /**
     * One step.
     *
     * @param name unique within the saga, stable (it goes into command message ids)
     * @param invocation the command sent going forward, if any
     * @param deadline how long to wait for its reply; null for the definition's default
     * @param compensation the command that undoes the step, if any
     * @param onReply how a successful reply changes the data; null to keep it
     * @param compensationDeadline how long to wait for the compensation's reply; null for the default
     */
    public record Step<D>(String name, Optional<Action<D, ?>> invocation, Duration deadline,
                          Optional<Action<D, ?>> compensation, ReplyHandler<D, ?> onReply,
                          Duration compensationDeadline) {
        D afterReply(D data, String replyJson) {
            return onReply == null ? data : onReply.apply(data, replyJson);
        }
    }

    /** Builds a {@link SagaDefinition}. */
    public static final class Builder<D> {
        private final String type;
        private final Class<D> dataClass;
        private String replyChannel = DEFAULT_REPLY_CHANNEL;
        private final List<Step<D>> steps = new ArrayList<>();
        private Duration defaultDeadline = DEFAULT_DEADLINE;
        private int maxResends = DEFAULT_MAX_RESENDS;

        private Builder(String type, Class<D> dataClass) {
            if (type == null || !TYPE.matcher(type).matches()) {
                throw new IllegalArgumentException("saga type must match " + TYPE.pattern());
            }
            this.type = type;
            this.dataClass = Objects.requireNonNull(dataClass, "dataClass");
        }

        /** The reply channel ({@value SagaDefinition#DEFAULT_REPLY_CHANNEL} by default). */
        public Builder<D> replyChannel(String name) {
            this.replyChannel = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The deadline of every step and compensation that names none ({@link #DEFAULT_DEADLINE}). */
        public Builder<D> defaultDeadline(Duration timeout) {
            defaultDeadline = positive(timeout, "the default deadline");
            return this;
        }

        /**
         * How often a command past its deadline that has no compensation (a step after the pivot, or a
         * compensation itself) is re-sent, with the same message id, before the saga ends {@code FAILED}
         * ({@value #DEFAULT_MAX_RESENDS} by default; 0 gives up at the first deadline).
         */
        public Builder<D> maxResends(int times) {
            if (times < 0) {
                throw new IllegalArgumentException("maxResends must not be negative");
            }
            maxResends = times;
            return this;
        }

        /** Starts the next step. */
        public StepBuilder<D> step(String name) {
            if (name == null || !STEP.matcher(name).matches()) {
                throw new IllegalArgumentException("step name must match " + STEP.pattern());
            }
            if (steps.stream().anyMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("step " + name + " defined twice in saga " + type);
            }
            return new StepBuilder<>(this, name);
        }

        public SagaDefinition<D> build() {
            if (steps.stream().noneMatch(s -> s.invocation().isPresent())) {
                throw new IllegalStateException("saga " + type + " needs at least one step that invokes a participant");
            }
            SagaDefinition<D> definition =
                    new SagaDefinition<>(type, dataClass, replyChannel, steps, defaultDeadline, maxResends);
            // a re-sent command keeps the time it was first sent; its last re-send must still be recognised by the
            // participant's deduplication (ADR 0003), so the whole chain stays within the default horizon
            for (Step<D> step : definition.steps()) {
                for (boolean compensation : new boolean[] {false, true}) {
                    Duration chain = definition.deadlineOf(step, compensation).multipliedBy(maxResends + 1L);
                    if (chain.compareTo(MAX_RESEND_CHAIN) > 0) {
                        throw new IllegalStateException("saga " + type + ", step " + step.name() + ": deadline x "
                                + (maxResends + 1) + " attempts exceeds " + MAX_RESEND_CHAIN.toDays()
                                + " days, beyond what participants deduplicate");
                    }
                }
            }
            return definition;
        }
    }

    /** Builds one step; {@link #step} and {@link #build} finish it. */
    public static final class StepBuilder<D> {
        private final Builder<D> parent;
        private final String name;
        private Action<D, ?> invocation;
        private Duration deadline;
        private Action<D, ?> compensation;
        private ReplyHandler<D, ?> onReply;
        private Duration compensationDeadline;

        private StepBuilder(Builder<D> parent, String name) {
            this.parent = parent;
            this.name = name;
        }

        /** Sends {@code command} to the aggregate {@code target} behind {@code channel} and waits for its reply. */
        public <C> StepBuilder<D> invoke(Channel<C> channel, Function<D, String> target,
                                         Function<D, ? extends C> command) {
            if (invocation != null) {
                throw new IllegalStateException("step " + name + " invokes twice");
            }
            invocation = new Action<>(channel, target, command);
            return this;
        }

        /**
         * How long to wait for the reply (the definition's default deadline otherwise). When it passes, a step
         * with a compensation counts as failed and its own compensation is sent too (the command may still
         * arrive late: the compensation must leave a countermeasure when it finds nothing to undo); a step
         * without one is re-sent with the same message id (ADR 0005).
         */
        public StepBuilder<D> deadline(Duration timeout) {
            deadline = positive(timeout, "step " + name + ": the deadline");
            return this;
        }

        /** How long to wait for the compensation's reply before re-sending it (the default deadline otherwise). */
        public StepBuilder<D> compensationDeadline(Duration timeout) {
            compensationDeadline = positive(timeout, "step " + name + ": the compensation deadline");
            return this;
        }

        /** The command that undoes this step; sent in reverse step order when a later step fails. */
        public <C> StepBuilder<D> compensate(Channel<C> channel, Function<D, String> target,
                                             Function<D, ? extends C> command) {
            if (compensation != null) {
                throw new IllegalStateException("step " + name + " compensates twice");
            }
            compensation = new Action<>(channel, target, command);
            return this;
        }

        /** Folds the data of a successful reply (read as {@code replyClass}) into the saga data. */
        public <R> StepBuilder<D> onReply(Class<R> replyClass, BiFunction<D, R, D> update) {
            onReply = new ReplyHandler<>(replyClass, update);
            return this;
        }

        public StepBuilder<D> step(String next) {
            finish();
            return parent.step(next);
        }

        public SagaDefinition<D> build() {
            finish();
            return parent.build();
        }

        private void finish() {
            if (invocation == null && compensation == null) {
                throw new IllegalStateException("step " + name + " neither invokes nor compensates");
            }
            if (invocation == null && (deadline != null || onReply != null)) {
                throw new IllegalStateException("step " + name + ": a deadline or onReply needs invoke");
            }
            if (compensation == null && compensationDeadline != null) {
                throw new IllegalStateException("step " + name + ": a compensation deadline needs compensate");
            }
            parent.steps.add(new Step<>(name, Optional.ofNullable(invocation), deadline,
                    Optional.ofNullable(compensation), onReply, compensationDeadline));
        }
    }

    private static Duration positive(Duration timeout, String what) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return timeout;
    }
}
