package dev.nosqles.saga;

import dev.nosqles.aggregate.CommandRejectedException;

/** A saga command that its state does not allow: a start of a started saga, a reply to one never started. */
public final class SagaLifecycleViolation extends CommandRejectedException {
    private final String sagaType;

    public SagaLifecycleViolation(String sagaType, String reason, String message) {
        super(reason, message);
        this.sagaType = sagaType;
    }

    public String sagaType() {
        return sagaType;
    }
}
