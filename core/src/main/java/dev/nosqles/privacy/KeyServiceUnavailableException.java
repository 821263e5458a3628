package dev.nosqles.privacy;

import dev.nosqles.EventSourcingException;

/** The key service (KMS) or the keys table could not be reached; retry later. Nothing was written. */
public final class KeyServiceUnavailableException extends EventSourcingException {
    private final String subject;

    public KeyServiceUnavailableException(String subject, Throwable cause) {
        super("the key of subject " + subject + " is unavailable: " + cause.getClass().getSimpleName(), cause);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
