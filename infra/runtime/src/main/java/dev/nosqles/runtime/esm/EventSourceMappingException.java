package dev.nosqles.runtime.esm;

/** A poller could not read, settle or forward records of a mapping. Messages name the mapping, never payloads. */
public class EventSourceMappingException extends RuntimeException {
    private final String mappingId;

    public EventSourceMappingException(String mappingId, String message, Throwable cause) {
        super("mapping " + mappingId + ": " + message, cause);
        this.mappingId = mappingId;
    }

    public EventSourceMappingException(String mappingId, String message) {
        this(mappingId, message, null);
    }

    public String mappingId() {
        return mappingId;
    }
}
