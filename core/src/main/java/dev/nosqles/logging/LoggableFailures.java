package dev.nosqles.logging;

import dev.nosqles.EventSourcingException;
import java.time.format.DateTimeParseException;

/**
 * What of a failure may go into a log line. Most exceptions keep their messages: an operator needs them, and the
 * framework's exceptions ({@link EventSourcingException}) and the AWS SDK's never hold a payload. The exceptions
 * known to quote their input do not: Jackson's ({@code JacksonException}: {@code InvalidFormatException} and
 * {@code MismatchedInputException} print "from String \"...\""), {@link DateTimeParseException} ("Text '...' could
 * not be parsed") and {@link NumberFormatException} ("For input string: ..."), and a wrapper whose message is one
 * of theirs ({@code new UncheckedIOException(e)} repeats {@code e.toString()}). Where one of those is in the cause
 * chain, the logger gets a copy of the chain in which each of them names its class and keeps its stack trace, and
 * has no message.
 */
public final class LoggableFailures {
    private LoggableFailures() {
    }

    /** The throwable to give the logger: {@code failure} itself when its whole cause chain may be logged. */
    public static Throwable loggable(Throwable failure) {
        if (failure == null || safe(failure)) {
            return failure;
        }
        return copy(failure, 0);
    }

    /** One line for the log message: the class and, when it may be logged, the message. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "-";
        }
        return keepsMessage(failure) || failure.getMessage() == null ? failure.toString()
                : failure.getClass().getName() + " (message withheld: it may quote the input)";
    }

    private static boolean keepsMessage(Throwable t) {
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.JacksonException || t instanceof DateTimeParseException
                    || t instanceof NumberFormatException) {
                return false;
            }
            // a wrapper built as new X(cause) repeats its cause's toString(): it quotes what the cause quotes
            if (t.getCause() == null || t.getMessage() == null || !t.getMessage().equals(t.getCause().toString())) {
                return true;
            }
        }
        return true;
    }

    private static boolean safe(Throwable t) {
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (!keepsMessage(t) && t.getMessage() != null) {
                return false;
            }
            for (Throwable s : t.getSuppressed()) {
                if (!safe(s)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Throwable copy(Throwable t, int depth) {
        Throwable cause = t.getCause() != null && t.getCause() != t && depth < 32 ? copy(t.getCause(), depth + 1)
                : null;
        Withheld copy = new Withheld(t.getClass().getName(), keepsMessage(t) ? t.getMessage() : null, cause);
        copy.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) {
            copy.addSuppressed(copy(s, depth + 1));
        }
        return copy;
    }

    /** A copy of a failure under its original class name, its message kept only when it may be logged. */
    static final class Withheld extends RuntimeException {
        private final String className;
        private final String kept;

        Withheld(String className, String kept, Throwable cause) {
            super(kept != null ? kept : className + " (message withheld: it may quote the input)", cause);
            this.className = className;
            this.kept = kept;
        }

        /** The original exception's class name. */
        public String className() {
            return className;
        }

        @Override
        public String toString() {
            return kept != null ? className + ": " + kept : className;
        }
    }
}
