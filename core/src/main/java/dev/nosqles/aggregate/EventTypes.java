package dev.nosqles.aggregate;

import dev.nosqles.internal.AppendValidation;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps event classes to stable type names and their current schema version, and back. Renaming a Java class
 * changes nothing stored; renaming a stored type is an upcaster's job.
 *
 * <pre>{@code
 * EventTypes.<OrderEvent>builder()
 *     .add("OrderCreated", 1, OrderCreated.class)
 *     .add("OrderApproved", 1, OrderApproved.class)
 *     .build();
 * }</pre>
 */
public final class EventTypes<E> {
    /** A registered event type. */
    public record EventType<T>(String name, int schemaVersion, Class<? extends T> javaClass) {
    }

    private final Map<Class<?>, EventType<E>> byClass;
    private final Map<String, EventType<E>> byName;
    private final Map<String, dev.nosqles.privacy.PersonalData<?>> personal;

    private EventTypes(Builder<E> builder) {
        this.byClass = Map.copyOf(builder.byClass);
        this.byName = Map.copyOf(builder.byName);
        this.personal = Map.copyOf(builder.personal);
    }

    public static <E> Builder<E> builder() {
        return new Builder<>();
    }

    /** The registration for an event's class. */
    public EventType<E> of(E event) {
        EventType<E> type = byClass.get(event.getClass());
        if (type == null) {
            throw new IllegalArgumentException("event class " + event.getClass().getName()
                    + " is not registered in the aggregate's EventTypes");
        }
        return type;
    }

    /** The registration for a stored type name, if any. */
    public Optional<EventType<E>> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public java.util.Collection<EventType<E>> all() {
        return byName.values();
    }

    /** The personal data a registered type declares, if any (by its current type name). */
    public Optional<dev.nosqles.privacy.PersonalData<?>> personalData(String name) {
        return Optional.ofNullable(personal.get(name));
    }

    /** True when any registered type declares personal data. */
    public boolean declaresPersonalData() {
        return !personal.isEmpty();
    }

    /** Builds {@link EventTypes}. */
    public static final class Builder<E> {
        private final Map<Class<?>, EventType<E>> byClass = new HashMap<>();
        private final Map<String, EventType<E>> byName = new LinkedHashMap<>();
        private final Map<String, dev.nosqles.privacy.PersonalData<?>> personal = new HashMap<>();

        private Builder() {
        }

        /**
         * @param name the stable type name stored with every event of this class
         * @param schemaVersion the current schema version of its JSON (1 for a new type)
         * @param javaClass the record
         */
        public Builder<E> add(String name, int schemaVersion, Class<? extends E> javaClass) {
            Objects.requireNonNull(javaClass, "javaClass");
            if (name == null || !AppendValidation.TYPE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("type name must match " + AppendValidation.TYPE_NAME.pattern());
            }
            if (name.startsWith(dev.nosqles.internal.PseudoEvents.PREFIX)) {
                throw new IllegalArgumentException("type names starting with "
                        + dev.nosqles.internal.PseudoEvents.PREFIX + " are reserved for the framework");
            }
            if (schemaVersion < 1) {
                throw new IllegalArgumentException("schema versions start at 1");
            }
            if (byName.containsKey(name) || byClass.containsKey(javaClass)) {
                throw new IllegalArgumentException("type name " + name + " or class " + javaClass.getSimpleName()
                        + " registered twice");
            }
            EventType<E> type = new EventType<>(name, schemaVersion, javaClass);
            byName.put(name, type);
            byClass.put(javaClass, type);
            return this;
        }

        /**
         * Registers a type some of whose fields are personal data (encrypted on append, ADR 0008).
         *
         * @throws IllegalArgumentException a declared field is not a {@code String} component of the record
         */
        public <T extends E> Builder<E> add(String name, int schemaVersion, Class<T> javaClass,
                                            dev.nosqles.privacy.PersonalData<? super T> personalData) {
            java.util.Objects.requireNonNull(personalData, "personalData");
            for (String field : personalData.fields()) {
                boolean ok = javaClass.isRecord() && java.util.Arrays.stream(javaClass.getRecordComponents())
                        .anyMatch(c -> c.getName().equals(field) && c.getType() == String.class);
                if (!ok) {
                    throw new IllegalArgumentException("personal field " + field + " of " + name
                            + " must be a String component of " + javaClass.getSimpleName());
                }
            }
            add(name, schemaVersion, javaClass);
            personal.put(name, personalData);
            return this;
        }

        public EventTypes<E> build() {
            if (byName.isEmpty()) {
                throw new IllegalStateException("register at least one event type");
            }
            return new EventTypes<>(this);
        }
    }
}
