package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Section 3's rounds: a benchmark's figure is its median round, its error widened to the rounds' spread. */
class ReplayRoundsTest {
    @Test
    void the_median_round_stands_for_the_benchmark_with_an_error_that_covers_the_spread_of_the_rounds() {
        List<Replay.Score> rounds = List.of(score(6.0e6, 0.1e6, 800), score(5.0e6, 0.2e6, 790),
                score(5.6e6, 0.05e6, 785));

        Replay.Score median = Replay.median("framework", rounds);

        assertThat(median.eventsPerSecond()).isEqualTo(5.6e6);
        assertThat(median.allocatedBytesPerEvent()).isEqualTo(785);
        assertThat(median.error()).isEqualTo(0.5e6); // half of 6.0 - 5.0 exceeds the round's own 0.05
        assertThat(median.rounds()).containsExactly(6.0e6, 5.0e6, 5.6e6);
    }

    @Test
    void a_single_round_keeps_its_own_error() {
        Replay.Score median = Replay.median("handWritten", List.of(score(6.0e6, 0.3e6, 785)));

        assertThat(median.error()).isEqualTo(0.3e6);
        assertThat(median.eventsPerSecond()).isEqualTo(6.0e6);
    }

    private static Replay.Score score(double eventsPerSecond, double error, double allocated) {
        return new Replay.Score("b", eventsPerSecond, error, allocated, List.of(eventsPerSecond));
    }
}
