package dev.nosqles.app.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A body is read without Jackson ({@code JsonReader}, ADR 0020) into the values of the tree the strict ObjectMapper
 * the API used before read: the same number types (int, long, big integer, exact decimal), the same refusals.
 */
class BodiesTest {
    /** The API's reader before ADR 0020, kept here as the reference. */
    private static final ObjectMapper BEFORE = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(Bodies.MAX_DEPTH)
                            .maxNumberLength(Bodies.MAX_NUMBER_LENGTH)
                            .maxStringLength(ApiRequest.MAX_BODY_BYTES)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private static ApiRequest request(String body) {
        return ApiRequest.from(APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("POST /customers")
                .withRawPath("/customers")
                .withRawQueryString("")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("r")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("POST").withPath("/customers").build())
                        .build())
                .build());
    }

    @Test
    void a_body_reads_into_the_values_of_the_tree_the_strict_mapper_read() throws Exception {
        for (String body : List.of("{}", " {\"a\" : 1 } ", "{\"name\":\"Ann \\\"A\\\" \\u00e9\\ud83d\\ude00\"}",
                "{\"i\":2147483647,\"l\":2147483648,\"n\":-9223372036854775809,\"z\":-0}",
                "{\"d\":1.50,\"e\":1E+3,\"f\":-0.0,\"g\":12345678901234567890.123456789}",
                "{\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"x\",[],{}],\"o\":{\"p\":{\"q\":[null]}}}",
                "{\"creditLimit\":\"1000.00\",\"unknown\":{\"deep\":[1,2,3]}}")) {
            // plain values: Integer, Long, BigInteger and BigDecimal as the tree's nodes hold them (1.50 keeps its
            // scale: BigDecimal.equals compares it)
            assertThat(Bodies.object(request(body))).as(body).isEqualTo(plain(BEFORE.readTree(body)));
        }
    }

    /** The tree's values as plain Java values, the form {@link Bodies#object} gives. */
    private static Object plain(com.fasterxml.jackson.databind.JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new java.util.LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new java.util.ArrayList<>();
            node.forEach(element -> list.add(plain(element)));
            return list;
        }
        return node.isTextual() ? node.textValue() : node.isBoolean() ? (Object) node.booleanValue()
                : node.isNull() ? null : node.numberValue();
    }

    @Test
    void what_the_strict_mapper_refused_is_refused_with_the_same_problem() {
        Map<String, String> refusals = Map.of(
                "[1]", "malformed-json",
                "\"text\"", "malformed-json",
                "{} {}", "malformed-json",
                "{\"a\":1}]", "malformed-json",
                "{\"a\":1", "malformed-json",
                "{\"a\":1,\"a\":2}", "duplicate-key",
                "{\"o\":{\"b\":1,\"b\":1}}", "duplicate-key",
                "{\"n\":" + "1".repeat(Bodies.MAX_NUMBER_LENGTH + 1) + "}", "malformed-json",
                "{\"a\":" + "[".repeat(Bodies.MAX_DEPTH + 1) + "]".repeat(Bodies.MAX_DEPTH + 1) + "}",
                "malformed-json",
                "{'a':1}", "malformed-json");
        refusals.forEach((body, code) -> {
            ProblemException problem = catchThrowableOfType(ProblemException.class, () -> Bodies.object(request(body)));
            assertThat(problem).as(body).isNotNull();
            assertThat(problem.code()).as(body).isEqualTo(code);
            assertThat(List.of(problem.code(), problem.detail())).as(body).isEqualTo(before(body));
        });
    }

    @Test
    void a_decimal_whose_exponent_no_decimal_holds_is_refused_where_the_strict_mapper_failed_with_a_500() {
        String body = "{\"creditLimit\":1e99999999999}";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BEFORE.readTree(body))
                .isInstanceOf(NumberFormatException.class);

        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> Bodies.object(request(body)));

        assertThat(List.of(problem.status(), problem.code(), problem.detail())).isEqualTo(List.of(400,
                "malformed-json", "the body must be one JSON object of at most " + Bodies.MAX_DEPTH
                        + " levels and numbers of at most " + Bodies.MAX_NUMBER_LENGTH + " characters"));
    }

    /** The problem code and detail the API answered with the strict mapper (its exception mapping, as it was). */
    private static List<String> before(String body) {
        try {
            if (BEFORE.readTree(body) instanceof com.fasterxml.jackson.databind.node.ObjectNode) {
                return List.of("accepted", "");
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            return List.of("malformed-json", "the body must be one JSON object of at most " + Bodies.MAX_DEPTH
                    + " levels and numbers of at most " + Bodies.MAX_NUMBER_LENGTH + " characters");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                return List.of("duplicate-key", "the body must not give a key twice in one object");
            }
        }
        return List.of("malformed-json", "the body must be one JSON object");
    }
}
