package dev.nosqles.app.api.internal;

/**
 * Ends a request with an RFC 9457 problem. Thrown by the API layer for the caller's mistakes; the detail never
 * echoes request data. A problem about one part of the request names it in {@link #field()} (a body field, a
 * query parameter or a header), answered as the {@code field} member of the problem.
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String code;
    private final String title;
    private final String field;

    public ProblemException(int status, String code, String title, String detail) {
        this(status, code, title, detail, null);
    }

    public ProblemException(int status, String code, String title, String detail, String field) {
        super(detail);
        this.status = status;
        this.code = code;
        this.title = title;
        this.field = field;
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, "Bad Request", detail);
    }

    /** 400 about one named part of the request. */
    public static ProblemException badRequest(String code, String field, String detail) {
        return new ProblemException(400, code, "Bad Request", detail, field);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not Found", detail);
    }

    public static ProblemException unprocessable(String code, String detail) {
        return new ProblemException(422, code, "Unprocessable Content", detail);
    }

    public static ProblemException unsupportedMediaType() {
        return new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                "a request body must be sent as Content-Type: application/json (charset, if given, utf-8)",
                "Content-Type");
    }

    public static ProblemException tooLarge(int maxBytes) {
        return new ProblemException(413, "body-too-large", "Content Too Large",
                "the body must be at most " + maxBytes + " bytes", "body");
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

    /** The part of the request the problem is about ({@code name}, {@code version}, {@code Idempotency-Key}), or null. */
    public String field() {
        return field;
    }
}
