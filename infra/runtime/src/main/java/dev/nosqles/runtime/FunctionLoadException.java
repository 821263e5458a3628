package dev.nosqles.runtime;

/** A function of the template could not be instantiated, or its handler does not fit its events. */
public final class FunctionLoadException extends RuntimeException {
    private final String function;
    private final String handlerClass;

    public FunctionLoadException(String function, String handlerClass, String problem, Throwable cause) {
        super("function " + function + " (" + handlerClass + "): " + problem, cause);
        this.function = function;
        this.handlerClass = handlerClass;
    }

    /** The function's logical id. */
    public String function() {
        return function;
    }

    public String handlerClass() {
        return handlerClass;
    }
}
