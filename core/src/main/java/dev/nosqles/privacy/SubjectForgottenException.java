package dev.nosqles.privacy;

import dev.nosqles.EventSourcingException;

/** Personal data of a forgotten subject was about to be written; nothing was. */
public final class SubjectForgottenException extends EventSourcingException {
    private final String subject;

    public SubjectForgottenException(String subject) {
        super("subject " + subject + " was forgotten: no personal data of it is written");
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
