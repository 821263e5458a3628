package dev.nosqles.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Trees are written without the ObjectMapper, as the ObjectMapper writes them (ADR 0020). */
class AppJsonTest {

    @Test
    void random_trees_are_written_as_the_mapper_writes_them() throws Exception {
        Random random = new Random(1201L);
        for (int i = 0; i < 1_000; i++) {
            JsonNode tree = random.nextBoolean() ? object(random, 0) : array(random, 0);
            assertThat(AppJson.write(tree)).as("case %d", i).isEqualTo(AppJson.mapper().writeValueAsString(tree));
        }
    }

    @Test
    void a_tree_holding_a_value_only_the_mapper_writes_is_written_by_the_mapper() throws Exception {
        record At(Instant at) {
        }
        ObjectNode tree = AppJson.object().put("name", "n");
        tree.putPOJO("pojo", new At(Instant.parse("2026-12-01T00:00:00Z")));
        tree.put("after", 1);

        assertThat(AppJson.write(tree)).isEqualTo(AppJson.mapper().writeValueAsString(tree))
                .isEqualTo("{\"name\":\"n\",\"pojo\":{\"at\":\"2026-12-01T00:00:00Z\"},\"after\":1}");
    }

    private static ObjectNode object(Random r, int depth) {
        ObjectNode o = AppJson.object();
        for (int i = r.nextInt(5); i > 0; i--) {
            o.set(text(r), value(r, depth + 1));
        }
        return o;
    }

    private static ArrayNode array(Random r, int depth) {
        ArrayNode a = AppJson.array();
        for (int i = r.nextInt(5); i > 0; i--) {
            a.add(value(r, depth + 1));
        }
        return a;
    }

    private static JsonNode value(Random r, int depth) {
        return switch (r.nextInt(depth > 3 ? 9 : 11)) {
            case 0 -> AppJson.nodes().textNode(text(r));
            case 1 -> AppJson.nodes().numberNode(r.nextInt());
            case 2 -> AppJson.nodes().numberNode(r.nextLong());
            case 3 -> AppJson.nodes().numberNode(new BigInteger(100, r).negate());
            case 4 -> AppJson.nodes().numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(30) - 15));
            case 5 -> AppJson.nodes().numberNode(Double.longBitsToDouble(r.nextLong()));
            case 6 -> AppJson.nodes().numberNode(r.nextFloat() * 1e6f);
            case 7 -> AppJson.nodes().booleanNode(r.nextBoolean());
            case 8 -> AppJson.nodes().nullNode();
            case 9 -> object(r, depth);
            default -> array(r, depth);
        };
    }

    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            switch (r.nextInt(4)) {
                case 0 -> b.append((char) r.nextInt(0x20));
                case 1 -> b.append("\"\\/\u2028".charAt(r.nextInt(4)));
                case 2 -> b.appendCodePoint(0x80 + r.nextInt(0x20000));
                default -> b.append((char) ('a' + r.nextInt(26)));
            }
        }
        return b.toString();
    }
}
