package dev.nosqles.metrics;

/**
 * The framework's metrics, by their CloudWatch names (namespace {@code nosqles}, dimension {@code Service}). All
 * are counts but {@link #SUBSCRIPTION_LAG}.
 */
public enum Metric {
    /** A command accepted and committed (or accepted with nothing to write). */
    COMMANDS_HANDLED("CommandsHandled", Unit.COUNT),
    /** A command refused by a business rule. */
    COMMANDS_REJECTED("CommandsRejected", Unit.COUNT),
    /** An append that met a concurrent commit (retried or not). */
    CONCURRENCY_CONFLICTS("ConcurrencyConflicts", Unit.COUNT),
    /** A command decided again after a conflict. */
    COMMAND_RETRIES("CommandRetries", Unit.COUNT),
    /** A message (command or event) recognised as seen before and dropped. */
    DUPLICATES_DROPPED("DuplicatesDropped", Unit.COUNT),
    /** An event handed to a subscriber and committed with its checkpoint. */
    EVENTS_DISPATCHED("EventsDispatched", Unit.COUNT),
    /** Now minus the stream record's approximate creation time; the maximum of a batch. */
    SUBSCRIPTION_LAG("SubscriptionLag", Unit.MILLISECONDS),
    SAGAS_STARTED("SagasStarted", Unit.COUNT),
    SAGAS_COMPLETED("SagasCompleted", Unit.COUNT),
    /** A saga that ended compensated or failed. */
    SAGAS_FAILED("SagasFailed", Unit.COUNT),
    /** Sagas the sweeper found past due in one run. */
    SAGAS_PAST_DUE("SagasPastDue", Unit.COUNT),
    /**
     * A deadline that found the participant's answer and took the reply from its commit (ADR 0016): the reply
     * was late, a backlog between them.
     */
    SAGA_LATE_REPLIES_TAKEN("SagaLateRepliesTaken", Unit.COUNT),
    /**
     * A deadline that re-sent its command rather than give up (same message id, a new deadline): the participant
     * answered without a reply request, or it is busy (its queue holds messages), or the command cannot be
     * compensated (ADR 0005, 0013, 0016).
     */
    SAGA_COMMANDS_RESENT("SagaCommandsResent", Unit.COUNT),
    /**
     * A saga command or reply that could not be handled in the process that sent it (ADR 0013, 0015) and went to
     * its queue instead.
     */
    IN_PROCESS_FALLBACKS("InProcessFallbacks", Unit.COUNT),
    /** A handled message that an operator redrove from a dead-letter queue. */
    DLQ_REDRIVES("DlqRedrives", Unit.COUNT);

    /** The unit, as CloudWatch names it. */
    public enum Unit {
        COUNT("Count"), MILLISECONDS("Milliseconds");

        private final String cloudWatchName;

        Unit(String cloudWatchName) {
            this.cloudWatchName = cloudWatchName;
        }

        public String cloudWatchName() {
            return cloudWatchName;
        }
    }

    private final String metricName;
    private final Unit unit;

    Metric(String metricName, Unit unit) {
        this.metricName = metricName;
        this.unit = unit;
    }

    /** The CloudWatch metric name. */
    public String metricName() {
        return metricName;
    }

    public Unit unit() {
        return unit;
    }
}
