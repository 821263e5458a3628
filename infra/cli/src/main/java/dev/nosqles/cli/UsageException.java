package dev.nosqles.cli;

/**
 * The command was called wrongly in a way only running it shows (an unknown read model, a missing table name, no
 * {@code make run} to connect to): one line on stderr, exit status 2, like a picocli parameter error.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
