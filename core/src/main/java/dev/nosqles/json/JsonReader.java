package dev.nosqles.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON text (RFC 8259, nothing more: no comments, no single quotes, no leading zeros or plus signs, no
 * unescaped control characters, nothing after the value but whitespace) into plain values: an object as a
 * {@code LinkedHashMap<String, Object>}, an array as a {@code List<Object>}, a string, an integer as the first of
 * {@code Integer}, {@code Long} or {@code BigInteger} that holds it, any other number as an exact
 * {@code BigDecimal}, booleans, and {@code null}. It accepts and refuses what jackson-core's parser accepts and
 * refuses with the same limits (nesting depth, a number's digits, a field name's length, duplicate keys when asked),
 * which {@code JsonReaderTest} checks against it, in the same order along the text. Where jackson-core departs from
 * RFC 8259 or from its own limits, this reader does not:
 * <ul>
 *   <li>a character escape takes four ASCII hex digits; jackson-core reads each by its low byte, so it takes
 *       U+0130 ({@code İ}) for the digit {@code 0} and U+0664 (an Arabic-Indic four) for nothing;</li>
 *   <li>a number's digits are all counted against the limit; jackson-core counts one fewer on some paths (a number
 *       that starts with {@code 0}, or one its 4,000-character buffer splits), so a number one digit over the
 *       limit may pass there.</li>
 * </ul>
 *
 * <p>For a Lambda function's first request: jackson-core's parser and factory are some 80 classes a new JVM loads
 * (tens of milliseconds of a cold start, ADR 0020); this is one. The framework checks an event's data with it before
 * an append; the reference application reads its request bodies with it. Events are still read with Jackson.
 */
public final class JsonReader {
    /** jackson-core's default for a field name's length. */
    public static final int MAX_NAME_LENGTH = 50_000;
    /** jackson-core's defaults for a text checked with {@link #isObject}. */
    public static final int DEFAULT_MAX_DEPTH = 1000;
    public static final int DEFAULT_MAX_NUMBER_LENGTH = 1000;

    private final String s;
    private final int n;
    private final int maxDepth;
    private final int maxNumberLength;
    private final boolean rejectDuplicates;
    /** Only check: build no values. */
    private final boolean checkOnly;
    private int i;

    private JsonReader(String text, int maxDepth, int maxNumberLength, boolean rejectDuplicates, boolean checkOnly) {
        this.s = text;
        this.n = text.length();
        this.maxDepth = maxDepth;
        this.maxNumberLength = maxNumberLength;
        this.rejectDuplicates = rejectDuplicates;
        this.checkOnly = checkOnly;
    }

    /**
     * The one value of {@code text}.
     *
     * @param maxDepth         the most objects and arrays open at once
     * @param maxNumberLength  the most digits of a number (an integer's, or a decimal's integer, fraction and
     *                         exponent digits together; signs and points do not count), every digit counted
     * @param rejectDuplicates refuse an object that gives a key twice (else the last one counts)
     * @throws MalformedJsonException the text is not one JSON value within the limits
     */
    public static Object read(String text, int maxDepth, int maxNumberLength, boolean rejectDuplicates) {
        java.util.Objects.requireNonNull(text, "text");
        return new JsonReader(text, maxDepth, maxNumberLength, rejectDuplicates, false).root();
    }

    /** True when {@code text} is exactly one well-formed JSON object, within jackson-core's default limits. */
    public static boolean isObject(String text) {
        if (text == null) {
            return false;
        }
        JsonReader reader = new JsonReader(text, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NUMBER_LENGTH, false, true);
        reader.whitespace();
        if (reader.i >= reader.n || text.charAt(reader.i) != '{') {
            return false;
        }
        try {
            reader.root();
            return true;
        } catch (MalformedJsonException e) {
            return false;
        }
    }

    private Object root() {
        Object value = value(0);
        whitespace();
        if (i < n) {
            // as jackson-core reads the next token after the value: a number is read whole (and may be too long),
            // not converted
            char c = s.charAt(i);
            if (c == '-' || c >= '0' && c <= '9') {
                number(false, true);
            }
            throw syntax("content after the value");
        }
        return value;
    }

    private Object value(int depth) {
        whitespace();
        if (i >= n) {
            throw syntax("the text ends where a value should start");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                i++;
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    return number(!checkOnly, depth == 0);
                }
                throw syntax("no value starts with this character");
        }
    }

    private Map<String, Object> object(int depth) {
        if (depth > maxDepth) {
            throw new MalformedJsonException(MalformedJsonException.Kind.LIMIT, "nested deeper than allowed");
        }
        i++;
        Map<String, Object> object = checkOnly ? null : new LinkedHashMap<>();
        whitespace();
        if (i < n && s.charAt(i) == '}') {
            i++;
            return object;
        }
        while (true) {
            whitespace();
            if (i >= n || s.charAt(i) != '"') {
                throw syntax("a field name must be a string");
            }
            i++;
            String name = string();
            if (name.length() > MAX_NAME_LENGTH) {
                throw new MalformedJsonException(MalformedJsonException.Kind.LIMIT, "a field name longer than allowed");
            }
            if (object != null && rejectDuplicates && object.containsKey(name)) {
                throw new MalformedJsonException(MalformedJsonException.Kind.DUPLICATE_KEY, "a key given twice");
            }
            whitespace();
            if (i >= n || s.charAt(i) != ':') {
                throw syntax("a colon must follow a field name");
            }
            i++;
            Object value = value(depth);
            if (object != null) {
                object.put(name, value);
            }
            whitespace();
            if (i >= n) {
                throw syntax("the text ends inside an object");
            }
            char c = s.charAt(i++);
            if (c == '}') {
                return object;
            }
            if (c != ',') {
                throw syntax("a comma or the end of the object must follow a value");
            }
        }
    }

    private List<Object> array(int depth) {
        if (depth > maxDepth) {
            throw new MalformedJsonException(MalformedJsonException.Kind.LIMIT, "nested deeper than allowed");
        }
        i++;
        List<Object> array = checkOnly ? null : new ArrayList<>();
        whitespace();
        if (i < n && s.charAt(i) == ']') {
            i++;
            return array;
        }
        while (true) {
            Object value = value(depth);
            if (array != null) {
                array.add(value);
            }
            whitespace();
            if (i >= n) {
                throw syntax("the text ends inside an array");
            }
            char c = s.charAt(i++);
            if (c == ']') {
                return array;
            }
            if (c != ',') {
                throw syntax("a comma or the end of the array must follow a value");
            }
        }
    }

    /** The string whose opening quote was just read. */
    private String string() {
        int start = i;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return s.substring(start, i - 1);
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            i++;
        }
        StringBuilder out = new StringBuilder(i - start + 16).append(s, start, i);
        while (i < n) {
            char c = s.charAt(i++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw syntax("a control character must be escaped in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= n) {
                break;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int digit = i < n ? hex(s.charAt(i)) : -1;
                        if (digit < 0) {
                            throw syntax("a character escape needs four hex digits");
                        }
                        code = code << 4 | digit;
                        i++;
                    }
                    out.append((char) code);
                }
                default -> throw syntax("an unknown character escape");
            }
        }
        throw syntax("the text ends inside a string");
    }

    /**
     * A number, converted to its value when {@code convert} (else null). At the root, as jackson-core does, what
     * follows it must be whitespace or the end before its length is checked.
     */
    private Object number(boolean convert, boolean root) {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        int intStart = i;
        if (i >= n || !digit(s.charAt(i))) {
            throw syntax("a minus sign must be followed by a digit");
        }
        if (s.charAt(i) == '0') {
            i++;
            if (i < n && digit(s.charAt(i))) {
                throw syntax("a number must not have leading zeros");
            }
        } else {
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
        }
        int digits = i - intStart;
        boolean integer = true;
        if (i < n && s.charAt(i) == '.') {
            integer = false;
            i++;
            int from = i;
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
            if (i == from) {
                throw syntax("a decimal point must be followed by a digit");
            }
            digits += i - from;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integer = false;
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int from = i;
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
            if (i == from) {
                throw syntax("an exponent must have a digit");
            }
            digits += i - from;
        }
        if (root && i < n && " \t\n\r".indexOf(s.charAt(i)) < 0) {
            throw syntax("a value at the root must be followed by whitespace or the end");
        }
        if (digits > maxNumberLength) {
            throw new MalformedJsonException(MalformedJsonException.Kind.LIMIT, "a number longer than allowed");
        }
        if (!convert) {
            return null;
        }
        String text = s.substring(start, i);
        if (!integer) {
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                // an exponent beyond an int's range (jackson-core lets BigDecimal's exception escape here)
                throw new MalformedJsonException(MalformedJsonException.Kind.LIMIT, "a number larger than allowed");
            }
        }
        if (digits <= 18) {
            long value = Long.parseLong(text);
            return value == (int) value ? (Object) (int) value : (Object) value;
        }
        BigInteger value = new BigInteger(text);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    /** An ASCII hex digit's value, or -1. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) {
        if (!s.startsWith(word, i)) {
            throw syntax("an unknown word");
        }
        i += word.length();
        // as jackson-core ends a word: a letter, digit or the like right after it makes it another word
        if (i < n) {
            char c = s.charAt(i);
            if (c >= '0' && c != ']' && c != '}' && Character.isJavaIdentifierPart(c)) {
                throw syntax("an unknown word");
            }
        }
    }

    private void whitespace() {
        while (i < n) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            i++;
        }
    }

    private static MalformedJsonException syntax(String problem) {
        return new MalformedJsonException(MalformedJsonException.Kind.SYNTAX, problem);
    }
}
