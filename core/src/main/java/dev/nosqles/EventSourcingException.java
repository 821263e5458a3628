package dev.nosqles;

/**
 * The root of every exception nosql-es throws on purpose. Subclasses expose their context as fields
 * (stream id, versions, type names); messages never contain event payloads.
 */
public abstract class EventSourcingException extends RuntimeException {
    protected EventSourcingException(String message) {
        super(message);
    }

    protected EventSourcingException(String message, Throwable cause) {
        super(message, cause);
    }
}
