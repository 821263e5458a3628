package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/** A stream id, aggregate type or aggregate id that does not have the required form. */
public final class InvalidStreamIdException extends EventSourcingException {
    private final String value;

    public InvalidStreamIdException(String value, String rule) {
        super("invalid stream id '" + value + "': " + rule);
        this.value = value;
    }

    public String value() {
        return value;
    }
}
