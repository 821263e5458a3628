package dev.nosqles.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JsonWriter} writes, call for call, the text jackson-core's default generator writes. */
class JsonWriterTest {
    private static final JsonFactory JACKSON = JsonFactory.builder().build();

    /** One call, made on both writers. */
    private interface Call {
        void on(JsonWriter ours);

        void on(JsonGenerator theirs) throws IOException;
    }

    private static String ours(List<Call> calls) {
        JsonWriter w = new JsonWriter();
        calls.forEach(c -> c.on(w));
        return w.toString();
    }

    private static String theirs(List<Call> calls) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            for (Call c : calls) {
                c.on(g);
            }
        }
        return out.toString();
    }

    private static Call string(String s) {
        return new Call() {
            public void on(JsonWriter w) {
                w.writeString(s);
            }

            public void on(JsonGenerator g) throws IOException {
                g.writeString(s);
            }
        };
    }

    private static Call name(String s) {
        return new Call() {
            public void on(JsonWriter w) {
                w.writeFieldName(s);
            }

            public void on(JsonGenerator g) throws IOException {
                g.writeFieldName(s);
            }
        };
    }

    private static Call number(Object n) {
        return new Call() {
            public void on(JsonWriter w) {
                switch (n) {
                    case Integer i -> w.writeNumber(i);
                    case Long l -> w.writeNumber(l);
                    case Double d -> w.writeNumber(d);
                    case Float f -> w.writeNumber(f);
                    case BigDecimal d -> w.writeNumber(d);
                    case BigInteger b -> w.writeNumber(b);
                    default -> throw new IllegalArgumentException();
                }
            }

            public void on(JsonGenerator g) throws IOException {
                switch (n) {
                    case Integer i -> g.writeNumber(i);
                    case Long l -> g.writeNumber(l);
                    case Double d -> g.writeNumber(d);
                    case Float f -> g.writeNumber(f);
                    case BigDecimal d -> g.writeNumber(d);
                    case BigInteger b -> g.writeNumber(b);
                    default -> throw new IllegalArgumentException();
                }
            }
        };
    }

    private static Call token(String which) {
        return new Call() {
            public void on(JsonWriter w) {
                switch (which) {
                    case "{" -> w.writeStartObject();
                    case "}" -> w.writeEndObject();
                    case "[" -> w.writeStartArray();
                    case "]" -> w.writeEndArray();
                    case "true" -> w.writeBoolean(true);
                    case "false" -> w.writeBoolean(false);
                    default -> w.writeNull();
                }
            }

            public void on(JsonGenerator g) throws IOException {
                switch (which) {
                    case "{" -> g.writeStartObject();
                    case "}" -> g.writeEndObject();
                    case "[" -> g.writeStartArray();
                    case "]" -> g.writeEndArray();
                    case "true" -> g.writeBoolean(true);
                    case "false" -> g.writeBoolean(false);
                    default -> g.writeNull();
                }
            }
        };
    }

    @Test
    void every_character_is_escaped_as_jackson_escapes_it() throws IOException {
        for (int c = 0; c <= 0xFFFF; c += 1) {
            String s = "a" + (char) c + "b";
            List<Call> calls = List.of(token("{"), name(s), string(s), token("}"));
            assertThat(ours(calls)).as("U+%04X", c).isEqualTo(theirs(calls));
        }
    }

    @Test
    void numbers_are_written_as_jackson_writes_them() throws IOException {
        Random random = new Random(42);
        List<Object> numbers = new ArrayList<>(List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, Long.MIN_VALUE,
                Long.MAX_VALUE, 0.0, -0.0, 1.0, 1e10, 1e-10, 1e21, 1e-7, 123456789.125, Double.MIN_VALUE,
                Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0f, -0.0f, 1.5f,
                1e10f, Float.MIN_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, new BigDecimal("25.00"),
                new BigDecimal("1E+3"), new BigDecimal("-0.000001"), new BigDecimal("12345678901234567890.12345"),
                BigDecimal.ZERO.setScale(-5), new BigInteger("-123456789012345678901234567890")));
        for (int i = 0; i < 2_000; i++) {
            numbers.add(random.nextInt());
            numbers.add(random.nextLong());
            numbers.add(Double.longBitsToDouble(random.nextLong()));
            numbers.add(Float.intBitsToFloat(random.nextInt()));
            numbers.add(new BigDecimal(new BigInteger(random.nextInt(200) + 1, random), random.nextInt(60) - 30));
            numbers.add(new BigInteger(random.nextInt(200) + 1, random).negate());
        }
        for (Object n : numbers) {
            List<Call> calls = List.of(token("["), number(n), number(n), token("]"));
            assertThat(ours(calls)).as("%s", n).isEqualTo(theirs(calls));
        }
    }

    @Test
    void nested_objects_and_arrays_are_separated_as_jackson_separates_them() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<Call> calls = new ArrayList<>();
            value(calls, random, 0);
            assertThat(ours(calls)).isEqualTo(theirs(calls));
        }
        List<Call> roots = List.of(token("{"), token("}"), token("["), token("]"), string("x"), token("null"));
        assertThat(ours(roots)).as("values at the root").isEqualTo(theirs(roots));
    }

    private static void value(List<Call> calls, Random random, int depth) {
        switch (depth > 5 ? random.nextInt(5) : random.nextInt(7)) {
            case 0 -> calls.add(string(randomString(random)));
            case 1 -> calls.add(number(random.nextInt(3) == 0 ? (Object) random.nextDouble() : random.nextLong()));
            case 2 -> calls.add(token(random.nextBoolean() ? "true" : "false"));
            case 3 -> calls.add(token("null"));
            case 4 -> calls.add(number(new BigDecimal(random.nextInt(100_000)).movePointLeft(2)));
            case 5 -> {
                calls.add(token("{"));
                for (int i = random.nextInt(4); i > 0; i--) {
                    calls.add(name(randomString(random)));
                    value(calls, random, depth + 1);
                }
                calls.add(token("}"));
            }
            default -> {
                calls.add(token("["));
                for (int i = random.nextInt(4); i > 0; i--) {
                    value(calls, random, depth + 1);
                }
                calls.add(token("]"));
            }
        }
    }

    private static String randomString(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            s.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x80) : (char) random.nextInt(0x10000));
        }
        return s.toString();
    }
}
