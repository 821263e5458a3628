package dev.nosqles.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * A JSON text written value by value into a string: the text jackson-core's default generator writes for the same
 * calls, character for character (ADR 0020; {@code JsonWriterTest} compares them). Strings are escaped as that
 * generator escapes them (quote, backslash, backspace, tab, newline, form feed and carriage return by their short
 * escapes, other characters below U+0020 by their six-character escape in upper-case hex, nothing else), numbers
 * written as {@code toString} writes them, a non-finite double or float as the string of its name. The writer
 * checks nothing: the caller writes a well-formed sequence.
 *
 * <p>For a Lambda function's first request: jackson-core's generator and factory are some 80 classes a new JVM loads
 * (tens of milliseconds of a cold start, ADR 0020); this is one. The framework writes events of plain records with
 * it; the reference application its responses.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private final StringBuilder out;
    /** Per open object or array: whether a value was written in it (the next one needs a comma). */
    private boolean[] started = new boolean[8];
    private int depth;
    /** A field name was just written: the next value follows its colon. */
    private boolean afterName;

    public JsonWriter() {
        this(128);
    }

    public JsonWriter(int capacity) {
        out = new StringBuilder(capacity);
    }

    public JsonWriter writeStartObject() {
        beforeValue();
        out.append('{');
        open();
        return this;
    }

    public JsonWriter writeEndObject() {
        depth--;
        out.append('}');
        return this;
    }

    public JsonWriter writeStartArray() {
        beforeValue();
        out.append('[');
        open();
        return this;
    }

    public JsonWriter writeEndArray() {
        depth--;
        out.append(']');
        return this;
    }

    public JsonWriter writeFieldName(String name) {
        if (started[depth - 1]) {
            out.append(',');
        }
        started[depth - 1] = true;
        quoted(name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter writeString(String value) {
        if (value == null) {
            return writeNull();
        }
        beforeValue();
        quoted(value);
        return this;
    }

    public JsonWriter writeNumber(int value) {
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeNumber(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeNumber(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return writeString(Double.toString(value));
        }
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeNumber(float value) {
        if (Float.isNaN(value) || Float.isInfinite(value)) {
            return writeString(Float.toString(value));
        }
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeNumber(BigDecimal value) {
        if (value == null) {
            return writeNull();
        }
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeNumber(BigInteger value) {
        if (value == null) {
            return writeNull();
        }
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeBoolean(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter writeNull() {
        beforeValue();
        out.append("null");
        return this;
    }

    public JsonWriter writeStringField(String name, String value) {
        return writeFieldName(name).writeString(value);
    }

    public JsonWriter writeNumberField(String name, int value) {
        return writeFieldName(name).writeNumber(value);
    }

    /** The text written so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    private void open() {
        if (depth == started.length) {
            started = Arrays.copyOf(started, depth * 2);
        }
        started[depth++] = false;
    }

    /** A comma before a value in an array (or between root values, as the generator separates them: a space). */
    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth == 0) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            return;
        }
        if (started[depth - 1]) {
            out.append(',');
        }
        started[depth - 1] = true;
    }

    private void quoted(String s) {
        out.append('"');
        int from = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, from, i);
            from = i + 1;
            out.append('\\');
            switch (c) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '\b' -> out.append('b');
                case '\t' -> out.append('t');
                case '\n' -> out.append('n');
                case '\f' -> out.append('f');
                case '\r' -> out.append('r');
                default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(s, from, n);
        out.append('"');
    }
}
