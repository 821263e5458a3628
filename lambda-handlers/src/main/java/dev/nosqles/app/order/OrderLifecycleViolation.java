package dev.nosqles.app.order;

import dev.nosqles.aggregate.CommandRejectedException;

/** A command that needs an existing order came before its creation, or a creation came twice. */
public final class OrderLifecycleViolation extends CommandRejectedException {
    private final boolean exists;

    private OrderLifecycleViolation(String reason, String message, boolean exists) {
        super(reason, message);
        this.exists = exists;
    }

    static OrderLifecycleViolation alreadyCreated() {
        return new OrderLifecycleViolation("order-already-created", "the order was created already", true);
    }

    static OrderLifecycleViolation notCreated() {
        return new OrderLifecycleViolation("order-not-created", "the order has not been created", false);
    }

    /** Whether the order existed when the command arrived. */
    public boolean exists() {
        return exists;
    }
}
