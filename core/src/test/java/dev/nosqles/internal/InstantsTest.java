package dev.nosqles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The framework's instants are read as {@link Instant#parse} reads them, any text included. */
class InstantsTest {

    @Test
    void every_instant_the_framework_writes_is_read_back_directly_as_instant_parse_reads_it() {
        Random r = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            Instant written = Instant.ofEpochSecond(r.nextLong(-62_167_219_200L, 253_402_300_800L),
                    switch (r.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> r.nextInt(1_000) * 1_000_000;
                        case 2 -> r.nextInt(1_000_000) * 1_000;
                        default -> r.nextInt(1_000_000_000);
                    });
            String text = written.toString();

            assertThat(Instants.direct(text)).as(text).isEqualTo(written).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void any_other_text_is_accepted_or_rejected_as_instant_parse_does() {
        List<String> others = List.of("2026-12-01T10:15:30.1Z", "2026-12-01T10:15:30.12345678Z",
                "2026-12-01t10:15:30z", "2026-12-01T10:15:30+01:00", "2016-12-31T23:59:60Z", "+12026-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                "2026-12-01T24:00:00Z", "2026-12-01T10:15:30.Z", "2026-12-01T10:15:30.1234567890Z",
                "2026-12-01T10:15Z", "2026-13-01T10:15:30Z", "2026-00-01T10:15:30Z", "2026-12-00T10:15:30Z",
                "2026-12-01T10:60:30Z", "2026-12-01T10:15:30", "", "x", "２026-12-01T10:15:30Z");
        Random r = new Random(20);
        List<String> mutated = new java.util.ArrayList<>(others);
        for (int i = 0; i < 20_000; i++) {
            char[] text = Instant.ofEpochSecond(r.nextLong(0, 4_000_000_000L), r.nextInt(1_000_000_000)).toString()
                    .toCharArray();
            text[r.nextInt(text.length)] = "0123456789-:.TZtz+ x9".charAt(r.nextInt(21));
            mutated.add(new String(text));
        }
        for (String text : mutated) {
            Instant expected;
            try {
                expected = Instant.parse(text);
            } catch (DateTimeParseException e) {
                assertThatThrownBy(() -> Instants.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
                continue;
            }
            assertThat(Instants.parse(text)).as(text).isEqualTo(expected);
        }
        assertThat(Instants.direct("2024-02-29T00:00:00Z")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
        assertThat(Instants.direct("2016-12-31T23:59:60Z")).isNull();
    }
}
