package dev.nosqles.runtime.esm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An event-source mapping's {@code FilterCriteria}: Lambda's event filtering, applied by the local pollers before
 * invoking. A record passes when it matches at least one of the filters (they are ORed); with no filter every record
 * passes. A record that matches none is dropped as Lambda drops it: never delivered, and its position is settled.
 *
 * <p>The subset of Lambda's filter rule syntax supported (anything else is refused when the filter is read, never
 * silently ignored):
 * <ul>
 *   <li>nested object keys: every key of a pattern object must match (AND);</li>
 *   <li>an array of exact values (strings, numbers, booleans, null): the field equals one of them (OR); a field
 *       holding an array matches when one of its elements does;</li>
 *   <li>{@code {"prefix": "..."}} on a string field;</li>
 *   <li>{@code {"exists": true|false}} on a leaf field;</li>
 *   <li>{@code {"anything-but": value or [values]}}: the field exists and equals none of them;</li>
 *   <li>{@code {"numeric": [op, n (, op, n)]}} with {@code = < <= > >=} on a number field.</li>
 * </ul>
 */
public final class EventFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventFilter ALL = new EventFilter(List.of());

    private final List<JsonNode> patterns;

    private EventFilter(List<JsonNode> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** Every record passes (no FilterCriteria). */
    public static EventFilter none() {
        return ALL;
    }

    /**
     * The filters of a FilterCriteria, each a {@code Pattern} JSON string.
     *
     * @throws UnsupportedFilterException a pattern is not JSON or uses an operator outside the supported subset
     */
    public static EventFilter of(List<String> patterns) {
        Objects.requireNonNull(patterns, "patterns");
        List<JsonNode> parsed = new ArrayList<>();
        for (String pattern : patterns) {
            JsonNode node;
            try {
                node = JSON.readTree(pattern);
            } catch (JsonProcessingException e) {
                throw new UnsupportedFilterException("a filter pattern is not valid JSON", null);
            }
            if (node == null || !node.isObject() || node.isEmpty()) {
                throw new UnsupportedFilterException("a filter pattern must be a non-empty JSON object", null);
            }
            validateObject(node);
            parsed.add(node);
        }
        return parsed.isEmpty() ? ALL : new EventFilter(parsed);
    }

    /** True when there is no filter at all. */
    public boolean passesEverything() {
        return patterns.isEmpty();
    }

    /** Whether a record (as Lambda's JSON for it) matches at least one filter; always true without filters. */
    public boolean matches(JsonNode record) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (JsonNode pattern : patterns) {
            if (matchesObject(pattern, record)) {
                return true;
            }
        }
        return false;
    }

    /** A filter this runtime does not implement (or that is malformed); names the operator when there is one. */
    public static final class UnsupportedFilterException extends IllegalArgumentException {
        private final String operator;

        UnsupportedFilterException(String problem, String operator) {
            super(problem);
            this.operator = operator;
        }

        /** The operator refused, or null when the pattern is malformed otherwise. */
        public String operator() {
            return operator;
        }
    }

    // ---- validation ----

    private static void validateObject(JsonNode pattern) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (field.getKey().startsWith("$")) {
                throw unsupported(field.getKey());
            }
            if (value.isObject()) {
                validateObject(value);
            } else if (value.isArray()) {
                if (value.isEmpty()) {
                    throw new UnsupportedFilterException("the values of " + field.getKey() + " are an empty array",
                            null);
                }
                value.forEach(EventFilter::validateMatcher);
            } else {
                throw new UnsupportedFilterException("the value of " + field.getKey()
                        + " must be an object or an array of values", null);
            }
        }
    }

    private static void validateMatcher(JsonNode matcher) {
        if (matcher.isValueNode()) {
            return;
        }
        if (!matcher.isObject() || matcher.size() != 1) {
            throw new UnsupportedFilterException("a matcher must be a value or an object with one operator", null);
        }
        Map.Entry<String, JsonNode> op = matcher.fields().next();
        JsonNode arg = op.getValue();
        switch (op.getKey()) {
            case "prefix" -> {
                if (!arg.isTextual()) {
                    throw unsupported("prefix (not a string)");
                }
            }
            case "exists" -> {
                if (!arg.isBoolean()) {
                    throw unsupported("exists (not a boolean)");
                }
            }
            case "anything-but" -> {
                boolean ok = arg.isTextual() || arg.isNumber()
                        || (arg.isArray() && !arg.isEmpty() && allScalars(arg));
                if (!ok) {
                    throw unsupported("anything-but (only a value or an array of values)");
                }
            }
            case "numeric" -> validateNumeric(arg);
            default -> throw unsupported(op.getKey());
        }
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isTextual() && !v.isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static void validateNumeric(JsonNode arg) {
        if (!arg.isArray() || (arg.size() != 2 && arg.size() != 4)) {
            throw unsupported("numeric (needs [op, n] or [op, n, op, n])");
        }
        for (int i = 0; i < arg.size(); i += 2) {
            String op = arg.get(i).asText();
            if (!List.of("=", "<", "<=", ">", ">=").contains(op) || !arg.get(i + 1).isNumber()) {
                throw unsupported("numeric " + op);
            }
        }
    }

    private static UnsupportedFilterException unsupported(String operator) {
        return new UnsupportedFilterException("unsupported filter operator: " + operator, operator);
    }

    // ---- matching ----

    private static boolean matchesObject(JsonNode pattern, JsonNode record) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = record == null || !record.isObject() ? null : record.get(field.getKey());
            if (value != null && value.isNull() && !field.getValue().isArray()) {
                value = null;
            }
            boolean ok = field.getValue().isObject()
                    ? matchesObject(field.getValue(), value)
                    : matchesLeaf(field.getValue(), value);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesLeaf(JsonNode matchers, JsonNode value) {
        for (JsonNode matcher : matchers) {
            if (value != null && value.isArray()) {
                for (JsonNode element : value) {
                    if (matches(matcher, element)) {
                        return true;
                    }
                }
                if (value.isEmpty() && matches(matcher, null)) {
                    return true;
                }
            } else if (matches(matcher, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonNode matcher, JsonNode value) {
        if (matcher.isValueNode()) {
            return value != null && equal(matcher, value);
        }
        Map.Entry<String, JsonNode> op = matcher.fields().next();
        JsonNode arg = op.getValue();
        return switch (op.getKey()) {
            case "prefix" -> value != null && value.isTextual() && value.asText().startsWith(arg.asText());
            case "exists" -> arg.asBoolean() == (value != null);
            case "anything-but" -> {
                if (value == null) {
                    yield false;
                }
                if (arg.isArray()) {
                    for (JsonNode excluded : arg) {
                        if (equal(excluded, value)) {
                            yield false;
                        }
                    }
                    yield true;
                }
                yield !equal(arg, value);
            }
            case "numeric" -> value != null && value.isNumber() && numeric(arg, value.asDouble());
            default -> throw new IllegalStateException("validated: " + op.getKey());
        };
    }

    private static boolean numeric(JsonNode arg, double value) {
        for (int i = 0; i < arg.size(); i += 2) {
            double n = arg.get(i + 1).asDouble();
            boolean ok = switch (arg.get(i).asText()) {
                case "=" -> value == n;
                case "<" -> value < n;
                case "<=" -> value <= n;
                case ">" -> value > n;
                default -> value >= n;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean equal(JsonNode expected, JsonNode actual) {
        if (expected.isNumber() && actual.isNumber()) {
            return expected.asDouble() == actual.asDouble();
        }
        return expected.equals(actual);
    }
}
