package dev.nosqles.internal;

/**
 * The AWS X-Ray trace header of the running invocation: the system property {@code com.amazonaws.xray.traceHeader}
 * (the Lambda Java runtime sets it per invocation) or else the environment variable {@code _X_AMZN_TRACE_ID}.
 * Null outside Lambda, and when the value is blank or longer than metadata may be.
 */
public final class TraceHeaders {
    public static final String PROPERTY = "com.amazonaws.xray.traceHeader";
    public static final String VARIABLE = "_X_AMZN_TRACE_ID";

    private TraceHeaders() {
    }

    /**
     * The trace header of the work being handled: the one the log context holds (an event's or a message's, see
     * {@link dev.nosqles.logging.LogContext#TRACE_HEADER}), else {@link #current()}.
     */
    public static String handled() {
        String handled = org.slf4j.MDC.get(dev.nosqles.logging.LogContext.TRACE_HEADER);
        return handled != null && !handled.isBlank() && handled.length() <= AppendValidation.MAX_METADATA_LENGTH
                ? handled : current();
    }

    public static String current() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(VARIABLE);
        }
        return value == null || value.isBlank() || value.length() > AppendValidation.MAX_METADATA_LENGTH ? null
                : value;
    }
}
