package dev.nosqles.app.api.internal;

/**
 * Ends a request with an RFC 9457 problem. Thrown by the API layer for the caller's mistakes; the detail never
 * echoes request data.
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String code;
    private final String title;

    public ProblemException(int status, String code, String title, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, "Bad Request", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not Found", detail);
    }

    public static ProblemException unprocessable(String code, String detail) {
        return new ProblemException(422, code, "Unprocessable Content", detail);
    }

    public int status() {
        return status;
    }

    /** The problem type's short code; the type URI is {@code urn:nosqles:problem:<code>}. */
    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
