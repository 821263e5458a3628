package dev.nosqles.saga;

import dev.nosqles.EventSourcingException;

/** A saga message (command, reply, deadline) that cannot be read. Names the part, never its content. */
public final class SagaMessageException extends EventSourcingException {
    private final String kind;
    private final String field;

    public SagaMessageException(String kind, String field, String problem) {
        super("saga " + kind + " message: " + field + " " + problem);
        this.kind = kind;
        this.field = field;
    }

    /** command, reply or deadline. */
    public String kind() {
        return kind;
    }

    public String field() {
        return field;
    }
}
