package dev.nosqles.projection;

import dev.nosqles.EventSourcingException;

/** A read-model operation that cannot proceed; subclasses say why and expose their context. */
public abstract class ReadModelException extends EventSourcingException {
    private final String readModel;

    protected ReadModelException(String readModel, String message) {
        super(message);
        this.readModel = readModel;
    }

    /** The read model's (projection's) name. */
    public String readModel() {
        return readModel;
    }
}
