package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/** A read request that cannot be served as asked (a version below 1, an empty range). */
public final class InvalidReadException extends EventSourcingException {
    public InvalidReadException(String message) {
        super(message);
    }
}
