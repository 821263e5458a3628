package dev.nosqles.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identifies one event stream: the aggregate type and the aggregate id. Stored as
 * {@code <type>-<id>} in the events table's partition key.
 *
 * @param type an aggregate type name: a letter, then letters and digits, at most 64 characters
 * @param id an aggregate id: 1 to 128 of {@code A-Z a-z 0-9 . _ : -}
 */
public record StreamId(String type, String id) {
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    public StreamId {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new InvalidStreamIdException(String.valueOf(type), "aggregate type must match " + TYPE.pattern());
        }
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidStreamIdException(type + "-" + abbreviate(id), "aggregate id must match " + ID.pattern());
        }
    }

    public static StreamId of(String type, String id) {
        return new StreamId(type, id);
    }

    /** Parses {@code <type>-<id>}, the form {@link #value()} produces. */
    public static StreamId parse(String value) {
        Objects.requireNonNull(value, "value");
        int dash = value.indexOf('-');
        if (dash <= 0) {
            throw new InvalidStreamIdException(abbreviate(value), "expected <type>-<id>");
        }
        return new StreamId(value.substring(0, dash), value.substring(dash + 1));
    }

    /** The stored form, {@code <type>-<id>}. */
    public String value() {
        return type + "-" + id;
    }

    @Override
    public String toString() {
        return value();
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 140 ? s : s.substring(0, 140) + "...";
    }
}
