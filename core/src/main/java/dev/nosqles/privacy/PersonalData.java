package dev.nosqles.privacy;

import dev.nosqles.store.StreamId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Declares which fields of an event type are personal data and whose: registered with the type in
 * {@code EventTypes} ({@code add(name, schemaVersion, class, PersonalData.of(SubjectOf.stream(), "name", "email"))}),
 * resolved once when the types are built. On append those fields are encrypted with the subject's data key; after
 * the subject is forgotten they decode as the declared placeholder (ADR 0008).
 *
 * @param <T> the event record
 */
public final class PersonalData<T> {
    /** The placeholder of a field that declares none. */
    public static final String DEFAULT_PLACEHOLDER = "[forgotten]";

    /** Whose personal data an event holds. */
    @FunctionalInterface
    public interface SubjectOf<T> {
        /** The subject's id: stable, not itself personal (a customer id, not an e-mail). */
        String subject(StreamId streamId, T event);

        /** The subject is the aggregate the event belongs to ({@code Customer-42} -> {@code 42}). */
        static <T> SubjectOf<T> stream() {
            return (streamId, event) -> streamId.id();
        }
    }

    private final SubjectOf<T> subject;
    private final List<String> fields;
    private final Map<String, String> placeholders;

    private PersonalData(SubjectOf<T> subject, List<String> fields, Map<String, String> placeholders) {
        this.subject = subject;
        this.fields = fields;
        this.placeholders = placeholders;
    }

    /**
     * @param subject whose data the fields are
     * @param fields names of the record's {@code String} components that are personal
     */
    public static <T> PersonalData<T> of(SubjectOf<T> subject, String... fields) {
        Objects.requireNonNull(subject, "subject");
        if (fields.length == 0) {
            throw new IllegalArgumentException("declare at least one personal field");
        }
        Map<String, String> placeholders = new LinkedHashMap<>();
        for (String f : fields) {
            placeholders.put(Objects.requireNonNull(f, "field"), DEFAULT_PLACEHOLDER);
        }
        return new PersonalData<>(subject, List.of(fields), Map.copyOf(placeholders));
    }

    /** The value a forgotten field decodes as (instead of {@value #DEFAULT_PLACEHOLDER}). */
    public PersonalData<T> placeholder(String field, String value) {
        if (!placeholders.containsKey(field)) {
            throw new IllegalArgumentException(field + " is not declared personal");
        }
        Map<String, String> p = new LinkedHashMap<>(placeholders);
        p.put(field, Objects.requireNonNull(value, "value"));
        return new PersonalData<>(subject, fields, Map.copyOf(p));
    }

    public SubjectOf<T> subjectOf() {
        return subject;
    }

    public List<String> fields() {
        return fields;
    }

    public String placeholder(String field) {
        return placeholders.getOrDefault(field, DEFAULT_PLACEHOLDER);
    }
}
