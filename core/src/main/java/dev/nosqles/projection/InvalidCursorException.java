package dev.nosqles.projection;

/**
 * A page cursor that this query did not issue: forged, altered, issued for another query or caller, or for a
 * version of the read model that is gone. The caller's mistake (an API answers 400); the message never repeats
 * the cursor.
 */
public final class InvalidCursorException extends ReadModelException {
    /** Why the cursor was refused. */
    public enum Reason { MALFORMED, FORGED, FOREIGN, EXPIRED }

    private final Reason reason;

    public InvalidCursorException(String readModel, Reason reason) {
        super(readModel, "cursor refused (" + reason.name().toLowerCase(java.util.Locale.ROOT) + ") for " + readModel);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
