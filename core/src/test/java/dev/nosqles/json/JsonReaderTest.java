package dev.nosqles.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonReader} accepts what jackson-core accepts and refuses what it refuses, for the same reason, with the same
 * limits, and reads the values Jackson's tree holds: checked on valid texts, hand-picked edge cases and thousands of
 * random mutations of valid texts.
 */
class JsonReaderTest {
    private static final int DEPTH = 16;
    private static final int NUMBER_LENGTH = 64;
    /** Strict, as a request body is read: duplicate keys refused, small limits, no trailing tokens. */
    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(DEPTH).maxNumberLength(NUMBER_LENGTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
    /** jackson-core's defaults, as an event's data was checked before. */
    private static final JsonFactory DEFAULTS = JsonFactory.builder().build();

    private static final List<String> EDGES = List.of("{}", "[]", "1", "\"x\"", "true", "null", "", " ", "{",
            "}", "{\"a\":1}", " {\"a\" : [1, 2.5, -0, -0.0, 1E+3, 1e-3, \"x\", true, false, null] } \n\t\r",
            "{\"n\":" + "1".repeat(64) + "}", "{\"n\":-" + "1".repeat(64) + "}", "{\"n\":" + "1".repeat(65) + "}",
            "{\"n\":" + "1".repeat(32) + "." + "1".repeat(32) + "}", "{\"n\":" + "1".repeat(32) + "." + "1".repeat(33) + "}",
            "{\"n\":" + "1".repeat(30) + "." + "1".repeat(30) + "e1234}",
            "{\"n\":" + "1".repeat(30) + "." + "1".repeat(30) + "e12345}", "{\"n\":1}" + "1".repeat(65),
            "{\"a\":" + "[".repeat(15) + "]".repeat(15) + "}", "{\"a\":" + "[".repeat(16) + "]".repeat(16) + "}",
            "{\"a\":" + "{\"b\":".repeat(15) + "1" + "}".repeat(15) + "}",
            "{\"a\":" + "{\"b\":".repeat(16) + "1" + "}".repeat(16) + "}",
            "{\"n\":01}", "{\"n\":-01}", "{\"n\":1.}", "{\"n\":.5}", "{\"n\":1e}", "{\"n\":1e+}", "{\"n\":+1}",
            "{\"n\":-}", "{\"s\":\"\\x\"}", "{\"s\":\"\t\"}", "{\"s\":\"\\u00e\"}", "{\"s\":\"\\u00E9\\uD83D\\ude00\"}",
            "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "\uFEFF{}", "{\"a\":1,}", "{,}", "[1,]", "[,1]", "{\"a\" 1}",
            "{\"a\":1 \"b\":2}", "{\"n\":NaN}", "{\"n\":tru}", "{\"n\":truex}", "{\"n\":nul}", "{\"n\":1}x",
            "{\"n\":1}/* c */", "{\"n\":1}\u00a0", "{\"s\":\"\u007f\u0080\uFFFF\"}", "{\"n\":2147483647}",
            "{\"n\":2147483648}", "{\"n\":-2147483648}", "{\"n\":9223372036854775807}", "{\"n\":9223372036854775808}",
            "{\"n\":-9223372036854775808}", "{\"n\":-9223372036854775809}", "{\"n\":1}{", "{} {}", "{} [", "{}]",
            "{\"a\":1,\"a\":2}", "{\"o\":{\"b\":1,\"b\":1}}", "{\"a\":{},\"b\":{\"a\":1}}", "{'a':1}", "{a:1}",
            "{\"" + "k".repeat(50_000) + "\":1}", "{\"" + "k".repeat(50_001) + "\":1}", "{\"n\":1e2147483647}",
            "{\"n\":1e2147483648}", "{\"n\":1.5e-99999999999}", "{} 1e99999999999", "{} 1" + "1".repeat(64), "{} 1" + "1".repeat(64) + ",",
            "1" + "1".repeat(64) + "}", "1" + "1".repeat(64), "1" + "1".repeat(64) + " ", "12}",
            "true" + "1".repeat(65), "null" + "1".repeat(65) + " ", "[true1]", "[null]", "{\"a\":falsey}", "true]",
            "{\"a\":true}" + "1".repeat(65),
            "{\"x\":-1." + "1".repeat(63) + "}", "{\"x\":1.1e-" + "1".repeat(62) + "}");

    /** Jackson's verdict on a strict read: "ok" and the value, or the kind of refusal. */
    private static List<Object> jacksonStrict(String text) {
        try {
            JsonNode tree = STRICT.readTree(text);
            if (tree == null || tree.isMissingNode()) {
                return List.of(MalformedJsonException.Kind.SYNTAX);
            }
            return java.util.Arrays.asList("ok", plain(tree));
        } catch (StreamConstraintsException e) {
            return List.of(MalformedJsonException.Kind.LIMIT);
        } catch (NumberFormatException e) {
            // a decimal whose exponent is beyond an int's range: Jackson lets BigDecimal's exception escape (the API
            // answered 500 for it); JsonReader refuses it as too large
            return List.of(MalformedJsonException.Kind.LIMIT);
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                return List.of(MalformedJsonException.Kind.DUPLICATE_KEY);
            }
            return List.of(MalformedJsonException.Kind.SYNTAX);
        }
    }

    private static List<Object> oursStrict(String text) {
        try {
            return java.util.Arrays.asList("ok", JsonReader.read(text, DEPTH, NUMBER_LENGTH, true));
        } catch (MalformedJsonException e) {
            return List.of(e.kind());
        }
    }

    /** How an event's data was checked before (jackson-core's defaults). */
    private static boolean jacksonIsObject(String text) {
        try (JsonParser parser = DEFAULTS.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Jackson's tree as the plain values {@link JsonReader} reads. */
    private static Object plain(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), plain(e.getValue()));
                }
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                node.forEach(element -> list.add(plain(element)));
                yield list;
            }
            case STRING -> node.textValue();
            case BOOLEAN -> node.booleanValue();
            case NULL -> null;
            case NUMBER -> node.numberValue();
            default -> throw new IllegalArgumentException(node.getNodeType().toString());
        };
    }

    @Test
    void edge_cases_are_accepted_and_refused_as_jackson_accepts_and_refuses_them() {
        for (String text : EDGES) {
            String shown = text.length() > 80 ? text.substring(0, 40) + "…(" + text.length() + ")" : text;
            assertThat(oursStrict(text)).as("strict: %s", shown).isEqualTo(jacksonStrict(text));
            assertThat(JsonReader.isObject(text)).as("isObject: %s", shown).isEqualTo(jacksonIsObject(text));
        }
    }

    @Test
    void random_texts_and_their_mutations_get_jacksons_verdict() throws IOException {
        Random random = new Random(2026);
        String alphabet = "{}[]\",:0123456789-+.eEtrufalsn \\/u\t\nxé\u0001";
        int refused = 0;
        for (int round = 0; round < 3_000; round++) {
            String valid = randomText(random);
            List<String> texts = new ArrayList<>(List.of(valid));
            for (int m = 0; m < 4; m++) {
                StringBuilder s = new StringBuilder(valid);
                for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                    int at = s.isEmpty() ? 0 : random.nextInt(s.length());
                    char c = alphabet.charAt(random.nextInt(alphabet.length()));
                    switch (random.nextInt(3)) {
                        case 0 -> s.insert(at, c);
                        case 1 -> {
                            if (!s.isEmpty()) {
                                s.deleteCharAt(at);
                            }
                        }
                        default -> {
                            if (!s.isEmpty()) {
                                s.setCharAt(at, c);
                            }
                        }
                    }
                }
                texts.add(s.toString());
            }
            for (String text : texts) {
                List<Object> expected = jacksonStrict(text);
                assertThat(oursStrict(text)).as("strict: %s", text).isEqualTo(expected);
                assertThat(JsonReader.isObject(text)).as("isObject: %s", text).isEqualTo(jacksonIsObject(text));
                if (!"ok".equals(expected.get(0))) {
                    refused++;
                }
            }
        }
        assertThat(refused).as("the mutations refused (the comparison covers both verdicts)").isBetween(3_000, 12_000);
    }

    @Test
    void a_character_escape_takes_ascii_hex_digits_only_where_jackson_reads_any_characters_low_byte() {
        // U+0130's low byte is '0', U+0664's is not a hex digit: jackson-core takes the first for 0 (and so reads
        // "A" here); an Arabic-Indic four or a fullwidth digit is no hex digit to either
        assertThat(jacksonStrict("{\"s\":\"\\u\u0130\u013041\"}")).containsExactly("ok", Map.of("s", "A"));
        for (String text : List.of("{\"s\":\"\\u\u0130\u013041\"}", "{\"s\":\"\\u00\u0664\u0661\"}",
                "{\"s\":\"\\u\u0660\u066041\"}", "{\"s\":\"\\u00\uFF14\uFF11\"}")) {
            assertThat(oursStrict(text)).as(text).containsExactly(MalformedJsonException.Kind.SYNTAX);
            assertThat(JsonReader.isObject(text)).as(text).isFalse();
        }
        assertThat(oursStrict("{\"s\":\"\\u00e9\\u00E9\\uD83D\\ude00\"}"))
                .containsExactly("ok", Map.of("s", "\u00e9\u00e9\ud83d\ude00"));
    }

    @Test
    void every_digit_of_a_number_counts_against_the_limit_where_jackson_counts_one_fewer_after_a_leading_zero() {
        String atLimit = "{\"x\":0." + "1".repeat(NUMBER_LENGTH - 1) + "}";
        String overLimit = "{\"x\":0." + "1".repeat(NUMBER_LENGTH) + "}";
        assertThat(oursStrict(atLimit).get(0)).isEqualTo("ok");
        assertThat(oursStrict(overLimit)).containsExactly(MalformedJsonException.Kind.LIMIT);
        // jackson-core's path for a number that starts with 0 counts a missing exponent as -1
        assertThat(jacksonStrict(overLimit).get(0)).isEqualTo("ok");
        assertThat(jacksonStrict("{\"x\":1." + "1".repeat(NUMBER_LENGTH) + "}"))
                .containsExactly(MalformedJsonException.Kind.LIMIT);
    }

    @Test
    void a_refusal_says_why_and_never_quotes_the_text() {
        MalformedJsonException e = catchThrowableOfType(MalformedJsonException.class,
                () -> JsonReader.read("{\"secret-name\":\"secret-value\"", DEPTH, NUMBER_LENGTH, true));
        assertThat(e.kind()).isEqualTo(MalformedJsonException.Kind.SYNTAX);
        assertThat(e.getMessage()).doesNotContain("secret");
        assertThat(JsonReader.isObject(null)).isFalse();
    }

    /** A valid JSON object written by Jackson, with some whitespace. */
    private static String randomText(Random random) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = DEFAULTS.createGenerator(out)) {
            if (random.nextBoolean()) {
                g.useDefaultPrettyPrinter();
            }
            g.writeStartObject();
            for (int i = random.nextInt(4); i > 0; i--) {
                g.writeFieldName(name(random));
                value(g, random, 1);
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    private static void value(JsonGenerator g, Random random, int depth) throws IOException {
        switch (depth > 4 ? random.nextInt(6) : random.nextInt(8)) {
            case 0 -> g.writeString(name(random) + "\"\\\n\u00e9\ud83d\ude00".substring(random.nextInt(6)));
            case 1 -> g.writeNumber(random.nextInt());
            case 2 -> g.writeNumber(random.nextLong() >> random.nextInt(64));
            case 3 -> g.writeNumber(random.nextInt(8) == 0
                    // around the limit: 60 to 67 digits, the first not 0 (see the test of jackson-core's count)
                    ? new java.math.BigDecimal(new java.math.BigInteger(digits(random, 60 + random.nextInt(8))))
                            .movePointLeft(random.nextInt(3) * 20)
                    : new java.math.BigDecimal(random.nextInt(1_000_000)).movePointLeft(random.nextInt(5)));
            case 4 -> g.writeBoolean(random.nextBoolean());
            case 5 -> g.writeNull();
            case 6 -> {
                g.writeStartObject();
                for (int i = random.nextInt(3); i > 0; i--) {
                    g.writeFieldName(name(random));
                    value(g, random, depth + 1);
                }
                g.writeEndObject();
            }
            default -> {
                g.writeStartArray();
                for (int i = random.nextInt(3); i > 0; i--) {
                    value(g, random, depth + 1);
                }
                g.writeEndArray();
            }
        }
    }

    /** {@code n} random digits, the first not 0. */
    private static String digits(Random random, int n) {
        StringBuilder s = new StringBuilder().append((char) ('1' + random.nextInt(9)));
        while (s.length() < n) {
            s.append((char) ('0' + random.nextInt(10)));
        }
        return s.toString();
    }

    private static String name(Random random) {
        return "k" + random.nextInt(6);
    }
}
