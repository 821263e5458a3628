package dev.nosqles.projection.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Rows as attributes and back. */
class RowCodecTest {
    enum Colour { RED, BLUE }

    record Everything(String s, boolean b, Boolean boxed, int i, Integer boxedInt, long l, Long boxedLong, short sh,
                      Short boxedShort, BigDecimal d, BigInteger bi, Instant at, LocalDate day, UUID id, Colour c) {
    }

    private final RowCodec<Everything> codec = RowCodec.of(Everything.class);

    @Test
    void every_supported_type_survives_the_round_trip() {
        Everything row = new Everything("x", true, false, -3, 4, 5_000_000_000L, -6L, (short) 7, (short) -8,
                new BigDecimal("12.5"), new BigInteger("123456789012345678901234567890"),
                Instant.parse("2026-01-02T03:04:05.123456Z"), LocalDate.parse("2026-02-03"), UUID.randomUUID(),
                Colour.BLUE);

        Map<String, AttributeValue> item = codec.encode(row);

        assertThat(codec.decode(item)).isEqualTo(row);
        assertThat(item.get("c").s()).isEqualTo("BLUE");
        assertThat(item.get("at").s()).isEqualTo("2026-01-02T03:04:05.123456Z");
        assertThat(item.get("l").n()).isEqualTo("5000000000");
    }

    @Test
    void nulls_are_absent_and_absent_primitives_are_zero_or_false() {
        Everything row = new Everything(null, false, null, 0, null, 0, null, (short) 0, null, null, null, null, null,
                null, null);

        Map<String, AttributeValue> item = codec.encode(row);

        assertThat(item).containsOnlyKeys("b", "i", "l", "sh");
        assertThat(codec.decode(Map.of())).isEqualTo(row);
    }

    @Test
    void a_decimal_is_stored_without_trailing_zeros_as_dynamodb_keeps_it() {
        Everything row = new Everything(null, false, null, 0, null, 0, null, (short) 0, null,
                new BigDecimal("12.50"), null, null, null, null, null);

        assertThat(codec.encode(row).get("d").n()).isEqualTo("12.5");
        assertThat(codec.decode(codec.encode(row)).d()).isEqualTo(new BigDecimal("12.5"));
    }
}
