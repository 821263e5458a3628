package dev.nosqles.app.api.internal;

import dev.nosqles.app.Fields;
import dev.nosqles.app.InvalidCommandException;
import dev.nosqles.json.JsonReader;
import dev.nosqles.json.MalformedJsonException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/**
 * Reads request bodies strictly: exactly one JSON object (RFC 8259, no comments, no trailing tokens), no key
 * given twice at any level, at most {@value #MAX_DEPTH} levels deep, numbers of
 * at most {@value #MAX_NUMBER_LENGTH} characters. Unknown fields are ignored. The body's size and its UTF-8
 * are checked by {@link ApiRequest}.
 */
public final class Bodies {
    static final int MAX_DEPTH = 16;
    static final int MAX_NUMBER_LENGTH = 64;

    private Bodies() {
    }

    /**
     * The body as one JSON object: its fields in order, each value a string, number ({@code Integer}, {@code Long},
     * {@code BigInteger} or an exact {@code BigDecimal}), boolean, null, list or map ({@link JsonReader}).
     *
     * @throws ProblemException 400 {@code malformed-json} when it is missing or not exactly one JSON object,
     *         400 {@code duplicate-key} when an object repeats a key
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(ApiRequest request) {
        String body = request.body();
        if (body == null || body.isEmpty()) {
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        }
        Object value;
        try {
            value = JsonReader.read(body, MAX_DEPTH, MAX_NUMBER_LENGTH, true);
        } catch (MalformedJsonException e) {
            if (e.kind() == MalformedJsonException.Kind.LIMIT) {
                throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object of at most "
                        + MAX_DEPTH + " levels and numbers of at most " + MAX_NUMBER_LENGTH + " characters");
            }
            if (e.kind() == MalformedJsonException.Kind.DUPLICATE_KEY) {
                throw ProblemException.badRequest("duplicate-key", "body",
                        "the body must not give a key twice in one object");
            }
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        }
        if (!(value instanceof Map<?, ?> object)) {
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        }
        return (Map<String, Object>) object;
    }

    /** True when the request's Content-Type is JSON: {@code application/json}, charset (if any) utf-8. */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";", -1);
        if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
                return false;
            }
        }
        return true;
    }

    /** A string field; null when absent or null (the command decides whether that is allowed). */
    public static String text(Map<String, Object> body, String field) {
        return textual(body, field, "must be a string");
    }

    /**
     * An amount given as a string in the one grammar of {@link Fields#amount} ({@code "12.50"}); null when absent
     * or null. Checked as text before it becomes a number.
     */
    public static BigDecimal amount(Map<String, Object> body, String field) {
        String text = textual(body, field, "must be a decimal string such as \"12.50\"");
        return text == null ? null : Fields.amount(field, text);
    }

    /** A field's string; null when absent or null; {@code notAString} when it holds something else. */
    private static String textual(Map<String, Object> body, String field, String notAString) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw new InvalidCommandException(field, notAString);
        }
        return text;
    }
}
