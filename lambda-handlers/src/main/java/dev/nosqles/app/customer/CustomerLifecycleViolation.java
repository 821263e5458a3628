package dev.nosqles.app.customer;

import dev.nosqles.aggregate.CommandRejectedException;

/** A command that needs an existing customer came before its creation, or a creation came twice. */
public final class CustomerLifecycleViolation extends CommandRejectedException {
    private final boolean exists;

    private CustomerLifecycleViolation(String reason, String message, boolean exists) {
        super(reason, message);
        this.exists = exists;
    }

    static CustomerLifecycleViolation alreadyCreated() {
        return new CustomerLifecycleViolation("customer-already-created", "the customer was created already", true);
    }

    static CustomerLifecycleViolation notCreated() {
        return new CustomerLifecycleViolation("customer-not-created", "the customer has not been created", false);
    }

    /** Whether the customer existed when the command arrived. */
    public boolean exists() {
        return exists;
    }
}
