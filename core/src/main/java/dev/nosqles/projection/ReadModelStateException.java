package dev.nosqles.projection;

/**
 * An operator's step refused in the read model's current state: switching to a version that is not ready,
 * dropping the serving version, rebuilding an unknown read model, ... Nothing was changed.
 */
public final class ReadModelStateException extends ReadModelException {
    private final int version;

    public ReadModelStateException(String readModel, int version, String message) {
        super(readModel, message);
        this.version = version;
    }

    /** The version the step was about (0 when none). */
    public int version() {
        return version;
    }
}
