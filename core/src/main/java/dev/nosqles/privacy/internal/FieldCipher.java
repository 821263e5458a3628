package dev.nosqles.privacy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.json.JsonWriter;
import dev.nosqles.privacy.SubjectKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The stored form of one encrypted value (ADR 0008): the JSON object
 * {@code {"$pd":1,"s":"<subject>","c":"<base64 nonce||ciphertext||tag>"}}, AES-256-GCM with the subject's data key,
 * AAD {@code "nosqles-pd-1|" + subject + "|" + field}. A JSON object where a String was declared is unambiguous.
 */
public final class FieldCipher {
    public static final String MARKER = "$pd";
    /** Cheap pre-check on stored JSON text: only text containing this may hold a token. */
    public static final String MARKER_TEXT = "\"$pd\"";
    /** The "field" of a snapshot's state, encrypted as a whole. */
    public static final String SNAPSHOT_FIELD = "$snapshot";
    private static final int FORMAT = 1;

    private FieldCipher() {
    }

    public static byte[] aad(String subject, String field) {
        return ("nosqles-pd-" + FORMAT + "|" + subject + "|" + field).getBytes(StandardCharsets.UTF_8);
    }

    /** The token of a value. @throws dev.nosqles.privacy.SubjectForgottenException and the key store's failures */
    public static ObjectNode encrypt(SubjectKeys keys, String subject, String field, String plaintext) {
        String sealed = seal(keys, subject, field, plaintext);
        ObjectNode token = JsonNodeFactory.instance.objectNode();
        token.put(MARKER, FORMAT);
        token.put("s", subject);
        token.put("c", sealed);
        return token;
    }

    /**
     * Writes the token of a value, the same JSON {@link #encrypt} gives (for a writer without a JSON tree).
     *
     * @throws dev.nosqles.privacy.SubjectForgottenException and the key store's failures
     */
    public static void writeToken(JsonWriter g, SubjectKeys keys, String subject, String field, String plaintext) {
        String sealed = seal(keys, subject, field, plaintext);
        g.writeStartObject();
        g.writeNumberField(MARKER, FORMAT);
        g.writeStringField("s", subject);
        g.writeStringField("c", sealed);
        g.writeEndObject();
    }

    private static String seal(SubjectKeys keys, String subject, String field, String plaintext) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("the subject of personal field " + field + " is empty");
        }
        byte[] sealed = keys.encrypt(subject, plaintext.getBytes(StandardCharsets.UTF_8), aad(subject, field));
        return Base64.getEncoder().encodeToString(sealed);
    }

    /** Whether a JSON value is a token (of any format). */
    public static boolean isToken(JsonNode value) {
        return value instanceof ObjectNode o && o.has(MARKER);
    }

    /** A token that is not of the known form. */
    public static final class MalformedTokenException extends IllegalArgumentException {
        MalformedTokenException(String problem) {
            super(problem);
        }
    }

    /** The subject a token belongs to. */
    public static String subject(JsonNode token) {
        JsonNode s = token.get("s");
        if (s == null || !s.isTextual() || s.asText().isEmpty()) {
            throw new MalformedTokenException("an encrypted value without its subject");
        }
        return s.asText();
    }

    /**
     * The plaintext of a token, or empty when its subject was forgotten.
     *
     * @throws MalformedTokenException not a token of a known format
     * @throws IllegalArgumentException the ciphertext does not authenticate (tampered, moved to another field)
     * @throws dev.nosqles.privacy.KeyServiceUnavailableException the key service could not be reached
     */
    public static Optional<String> decrypt(SubjectKeys keys, String field, JsonNode token) {
        JsonNode format = token.get(MARKER);
        JsonNode c = token.get("c");
        if (format == null || format.asInt() != FORMAT || c == null || !c.isTextual()) {
            throw new MalformedTokenException("an encrypted value of an unknown format");
        }
        String subject = subject(token);
        byte[] sealed;
        try {
            sealed = Base64.getDecoder().decode(c.asText());
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("an encrypted value that is not base64");
        }
        return keys.decrypt(subject, sealed, aad(subject, field)).map(b -> new String(b, StandardCharsets.UTF_8));
    }
}
