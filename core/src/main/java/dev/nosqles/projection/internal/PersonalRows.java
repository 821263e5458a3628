package dev.nosqles.projection.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.internal.Json;
import dev.nosqles.privacy.MissingSubjectKeysException;
import dev.nosqles.privacy.PersonalData;
import dev.nosqles.privacy.SubjectForgottenException;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.privacy.internal.FieldCipher;
import dev.nosqles.projection.Projection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The personal components of read-model rows ({@link Projection#personalComponents()}), stored encrypted: an S
 * attribute holding the token JSON of ADR 0008 ({@code {"$pd":1,"s":...,"c":...}}, AAD naming the component). A
 * row of a subject already forgotten is stored with the placeholder. Once forgotten, a stored row reads back with
 * {@link PersonalData#DEFAULT_PLACEHOLDER}.
 */
public final class PersonalRows {
    private PersonalRows() {
    }

    /** The item with its personal components encrypted (the item itself when the projection declares none). */
    public static <R extends Record> Map<String, AttributeValue> encrypt(Projection<R> projection, R row,
                                                                         Map<String, AttributeValue> item,
                                                                         SubjectKeys keys) {
        if (projection.personalComponents().isEmpty()) {
            return item;
        }
        Map<String, AttributeValue> out = new LinkedHashMap<>(item);
        String subject = null;
        for (String component : projection.personalComponents()) {
            AttributeValue value = item.get(component);
            if (value == null || value.s() == null) {
                continue;
            }
            if (keys == null) {
                throw new MissingSubjectKeysException(projection.name());
            }
            if (subject == null) {
                subject = projection.personalSubject(row);
            }
            try {
                out.put(component, AttributeValue.fromS(
                        FieldCipher.encrypt(keys, subject, component, value.s()).toString()));
            } catch (SubjectForgottenException forgotten) {
                // a replay or a late event of a forgotten subject: nothing of it is to be kept
                out.put(component, AttributeValue.fromS(PersonalData.DEFAULT_PLACEHOLDER));
            }
        }
        return out;
    }

    /**
     * The item with its personal components decrypted, or the placeholder for a forgotten subject.
     *
     * @throws dev.nosqles.privacy.KeyServiceUnavailableException the key service could not be reached
     */
    public static <R extends Record> Map<String, AttributeValue> decrypt(Projection<R> projection,
                                                                         Map<String, AttributeValue> item,
                                                                         SubjectKeys keys) {
        if (projection.personalComponents().isEmpty()) {
            return item;
        }
        Map<String, AttributeValue> out = null;
        for (String component : projection.personalComponents()) {
            AttributeValue value = item.get(component);
            if (value == null || value.s() == null || !value.s().contains(FieldCipher.MARKER_TEXT)) {
                continue;
            }
            JsonNode token;
            try {
                token = Json.mapper().readTree(value.s());
            } catch (JsonProcessingException notJson) {
                continue; // a plain value that happens to contain the marker
            }
            if (!FieldCipher.isToken(token)) {
                continue;
            }
            if (keys == null) {
                throw new MissingSubjectKeysException(projection.name());
            }
            Optional<String> plaintext = FieldCipher.decrypt(keys, component, token);
            if (out == null) {
                out = new LinkedHashMap<>(item);
            }
            out.put(component, AttributeValue.fromS(plaintext.orElse(PersonalData.DEFAULT_PLACEHOLDER)));
        }
        return out == null ? item : out;
    }
}
