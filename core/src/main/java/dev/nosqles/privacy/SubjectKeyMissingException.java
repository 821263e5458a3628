package dev.nosqles.privacy;

import dev.nosqles.EventSourcingException;

/**
 * Personal data of a subject was to be decrypted, but the subject has neither a key nor a tombstone: the keys are
 * not the ones the data was written with (another keys table, keys in memory in another process) or the key item
 * was deleted outside {@link SubjectKeys#forget}. Only a tombstone means forgotten, so this is never answered with
 * placeholders: it is a configuration or operations problem.
 */
public final class SubjectKeyMissingException extends EventSourcingException {
    private final String subject;

    public SubjectKeyMissingException(String subject) {
        super("subject " + subject + " has neither a key nor a tombstone: the subject keys do not match the data");
        this.subject = subject;
    }

    /** The subject whose key is missing. */
    public String subject() {
        return subject;
    }
}
