package dev.nosqles.aggregate;

import dev.nosqles.EventSourcingException;

/**
 * A command that a business rule forbids. Subclass it for each rule (for example {@code CreditLimitExceeded})
 * and expose the rule's context as fields. Nothing was written.
 */
public class CommandRejectedException extends EventSourcingException {
    private final String reason;

    /**
     * @param reason a stable, machine-readable code such as {@code credit-limit-exceeded}
     * @param message a human-readable explanation without payload data
     */
    public CommandRejectedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
