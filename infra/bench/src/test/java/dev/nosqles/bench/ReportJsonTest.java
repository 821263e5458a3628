package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bench's JSON files carry java.time values (section 8's key cache TTL is a {@link Duration}): the mapper every
 * file is written with serialises them as ISO-8601 text. A plain ObjectMapper failed on them at the end of a full
 * {@code make bench}, after every section had run, and left results.json half written and no report.md.
 */
class ReportJsonTest {
    record WithTime(String name, Duration cacheTtl, Instant at) {
    }

    @Test
    void durations_and_instants_are_written_as_iso_text() throws Exception {
        String json = Report.json().writeValueAsString(Map.of("personalData",
                new WithTime("load a customer", Duration.ofMinutes(5), Instant.parse("2026-12-01T00:00:00Z"))));

        assertThat(json).contains("\"cacheTtl\" : \"PT5M\"", "\"at\" : \"2026-12-01T00:00:00Z\"");
    }
}
