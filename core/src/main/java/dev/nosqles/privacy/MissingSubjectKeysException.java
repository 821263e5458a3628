package dev.nosqles.privacy;

import dev.nosqles.EventSourcingException;

/**
 * Personal data was to be encrypted or decrypted by a codec that was given no {@link SubjectKeys}: a
 * misconfiguration (pass the keys to the repository, subscriber or read models builder). Nothing was written, and
 * nothing is silently hidden.
 */
public final class MissingSubjectKeysException extends EventSourcingException {
    private final String type;

    public MissingSubjectKeysException(String type) {
        super(type + " holds personal data but no SubjectKeys were configured");
        this.type = type;
    }

    /** The event type (or read model, or snapshot state type) that holds personal data. */
    public String type() {
        return type;
    }
}
