package dev.nosqles.store;

/**
 * Who and why, recorded with every commit: the audit trail.
 *
 * @param correlationId the id shared by everything one business request caused
 * @param causationId the id of the message or event that directly caused this commit
 * @param messageId the id of the message (command) that produced this commit; used to drop duplicates
 * @param principal who asked for it (a user, a service, "system")
 */
public record EventMetadata(String correlationId, String causationId, String messageId, String principal) {
    public static final EventMetadata EMPTY = new EventMetadata(null, null, null, null);

    public static EventMetadata empty() {
        return EMPTY;
    }

    public EventMetadata withCorrelationId(String value) {
        return new EventMetadata(value, causationId, messageId, principal);
    }

    public EventMetadata withCausationId(String value) {
        return new EventMetadata(correlationId, value, messageId, principal);
    }

    public EventMetadata withMessageId(String value) {
        return new EventMetadata(correlationId, causationId, value, principal);
    }

    public EventMetadata withPrincipal(String value) {
        return new EventMetadata(correlationId, causationId, messageId, value);
    }
}
