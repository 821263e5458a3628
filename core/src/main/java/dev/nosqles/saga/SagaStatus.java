package dev.nosqles.saga;

/** Where a saga is in its life. */
public enum SagaStatus {
    /** Going forward, waiting for the reply of the current step. */
    RUNNING,
    /** A step failed; undoing the earlier steps in reverse order. */
    COMPENSATING,
    /** Every step succeeded. */
    COMPLETED,
    /** A step failed and every compensation has been run: the saga failed. */
    COMPENSATED,
    /**
     * A command that cannot be compensated (a step after the pivot, or a compensation) stayed unanswered after
     * every re-send: the saga gave up; an operator must look (the reason names the step).
     */
    FAILED;

    public boolean finished() {
        return switch (this) {
            case RUNNING, COMPENSATING -> false;
            case COMPLETED, COMPENSATED, FAILED -> true;
        };
    }
}
