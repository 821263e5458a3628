package dev.nosqles.json;

import dev.nosqles.EventSourcingException;

/** A text {@link JsonReader} refused; the message says what is wrong, never where or with what content. */
public final class MalformedJsonException extends EventSourcingException {
    /** Why the text was refused. */
    public enum Kind {
        /** Not JSON. */
        SYNTAX,
        /** Deeper, or with a longer number or field name, than allowed. */
        LIMIT,
        /** An object gives a key twice (only when duplicates are refused). */
        DUPLICATE_KEY
    }

    private final Kind kind;

    MalformedJsonException(Kind kind, String problem) {
        super(problem);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
