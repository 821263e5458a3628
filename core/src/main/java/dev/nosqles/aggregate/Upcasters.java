package dev.nosqles.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Chains of upcasters, one per (stored type name, schema version), applied on load to the JSON form until the
 * event reaches a registered type at its current schema version. Stored events are never rewritten.
 *
 * <pre>{@code
 * Upcasters.builder()
 *     .renameType("OrderPlaced", 1, "OrderCreated")              // OrderPlaced v1 -> OrderCreated v1
 *     .renameField("OrderCreated", 1, "total", "orderTotal")     // OrderCreated v1 -> v2
 *     .addField("OrderCreated", 2, "currency", "EUR")            // OrderCreated v2 -> v3
 *     .build();
 * }</pre>
 */
public final class Upcasters {
    private static final Upcasters NONE = new Upcasters(Map.of());
    private static final int MAX_STEPS = 64;

    /** An event in its JSON form: type name, schema version and data. */
    public record JsonEvent(String type, int schemaVersion, ObjectNode data) {
        public JsonEvent {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(data, "data");
        }
    }

    /** One step: turns an event of one (type, version) into the next form. */
    @FunctionalInterface
    public interface Upcaster {
        JsonEvent upcast(JsonEvent event);
    }

    private record Key(String type, int version) {
    }

    private final Map<Key, Upcaster> steps;

    private Upcasters(Map<Key, Upcaster> steps) {
        this.steps = Map.copyOf(steps);
    }

    public static Upcasters none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Applies every step that matches, in turn. */
    public JsonEvent upcast(JsonEvent event) {
        JsonEvent current = event;
        for (int i = 0; i < MAX_STEPS; i++) {
            Upcaster step = steps.get(new Key(current.type(), current.schemaVersion()));
            if (step == null) {
                return current;
            }
            current = step.upcast(new JsonEvent(current.type(), current.schemaVersion(), current.data().deepCopy()));
        }
        throw new IllegalStateException("upcaster chain longer than " + MAX_STEPS + " steps from " + event.type()
                + " v" + event.schemaVersion() + ": is there a cycle?");
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** True when an event stored as {@code type} at {@code schemaVersion} has a step to take. */
    public boolean appliesTo(String type, int schemaVersion) {
        return steps.containsKey(new Key(type, schemaVersion));
    }

    /** Builds {@link Upcasters}. */
    public static final class Builder {
        private final Map<Key, Upcaster> steps = new HashMap<>();

        private Builder() {
        }

        /** A step of your own for events stored as {@code type} at {@code schemaVersion}. */
        public Builder add(String type, int schemaVersion, Upcaster upcaster) {
            Objects.requireNonNull(upcaster, "upcaster");
            if (steps.putIfAbsent(new Key(type, schemaVersion), upcaster) != null) {
                throw new IllegalArgumentException("two upcasters for " + type + " v" + schemaVersion);
            }
            return this;
        }

        /** The data changed shape: {@code type} v{@code fromVersion} becomes v{@code fromVersion + 1}. */
        public Builder transform(String type, int fromVersion, UnaryOperator<ObjectNode> change) {
            return add(type, fromVersion, e -> new JsonEvent(type, fromVersion + 1, change.apply(e.data())));
        }

        /** The event type was renamed; its schema version stays. */
        public Builder renameType(String oldType, int schemaVersion, String newType) {
            return add(oldType, schemaVersion, e -> new JsonEvent(newType, schemaVersion, e.data()));
        }

        /** A field was renamed: v{@code fromVersion} becomes v{@code fromVersion + 1}. */
        public Builder renameField(String type, int fromVersion, String oldName, String newName) {
            return transform(type, fromVersion, data -> {
                JsonNode value = data.remove(oldName);
                if (value != null) {
                    data.set(newName, value);
                }
                return data;
            });
        }

        /** A field was added: older events get {@code defaultValue}; v{@code fromVersion} becomes the next. */
        public Builder addField(String type, int fromVersion, String name, Object defaultValue) {
            JsonNode value = Json.mapper().valueToTree(defaultValue);
            return transform(type, fromVersion, data -> {
                if (!data.has(name)) {
                    data.set(name, value.deepCopy());
                }
                return data;
            });
        }

        public Upcasters build() {
            return new Upcasters(steps);
        }
    }
}
