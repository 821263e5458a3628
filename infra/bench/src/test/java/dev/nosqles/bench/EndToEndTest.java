package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Section 6 at a tiny scale: the HTTP path (customer, POST /orders → 201, GET round trips) in both modes. Without
 * the saga functions in template.yaml no order is APPROVED: the section must say so instead of failing.
 */
class EndToEndTest {

    @Test
    void orders_are_created_and_read_over_http_and_the_approval_is_reported_either_way() throws Exception {
        EndToEnd.Result result = EndToEnd.run(LocalAws.shared(),
                new EndToEnd.Config(2, Duration.ofSeconds(2), Duration.ofMillis(5)));

        for (EndToEnd.Mode mode : new EndToEnd.Mode[] {result.started(), result.drained()}) {
            assertThat(mode.post().samples()).isEqualTo(2);
            assertThat(mode.get().samples()).isGreaterThanOrEqualTo(2);
            assertThat(mode.post().p50Ms()).isPositive();
        }
        assertThat(EndToEnd.checks(result)).allMatch(Check::passed);
        if (result.approvedReached()) {
            assertThat(result.started().approval().samples()).isPositive();
            assertThat(result.drained().invocationsPerOrder()).isPositive();
        } else {
            assertThat(result.outcome()).startsWith("not reached");
            assertThat(result.pollingShareP50()).isNaN();
        }
    }
}
