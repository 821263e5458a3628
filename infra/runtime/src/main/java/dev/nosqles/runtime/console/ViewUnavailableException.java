package dev.nosqles.runtime.console;

/** A view the running template cannot give (it lacks the table it reads); the console answers 404. */
public final class ViewUnavailableException extends RuntimeException {
    public ViewUnavailableException(String message) {
        super(message);
    }
}
