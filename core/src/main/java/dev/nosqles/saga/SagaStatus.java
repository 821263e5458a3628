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
    COMPENSATED;

    public boolean finished() {
        return switch (this) {
            case RUNNING, COMPENSATING -> false;
            case COMPLETED, COMPENSATED -> true;
        };
    }
}
