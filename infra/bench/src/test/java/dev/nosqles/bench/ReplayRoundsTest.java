package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Section 3's rounds: a benchmark's figure is its median round, its error widened to the rounds' spread; a ratio
 * between two benchmarks is the median of their ratios round by round.
 */
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

    @Test
    void the_ratio_to_hand_written_is_the_median_of_the_rounds_ratios_not_the_ratio_of_two_median_rounds() {
        // the machine slowed down in the third round: both ran slower there
        Replay.Score framework = rounds(6.0e6, 4.0e6, 4.5e6);
        Replay.Score handWritten = rounds(6.0e6, 4.2e6, 5.5e6);

        assertThat(Replay.roundRatios(framework, handWritten))
                .satisfiesExactly(r -> assertThat(r).isEqualTo(1.0), r -> assertThat(r).isCloseTo(0.952, within(1e-3)),
                        r -> assertThat(r).isCloseTo(0.818, within(1e-3)));
        assertThat(Replay.pairedRatio(framework, handWritten)).isCloseTo(0.952, within(1e-3));
        // what the two median rounds would have said, from different rounds: 4.5 / 5.5
        assertThat(Replay.median("framework", List.of(score(6.0e6, 0, 785), score(4.0e6, 0, 785),
                score(4.5e6, 0, 785))).eventsPerSecond()
                / Replay.median("handWritten", List.of(score(6.0e6, 0, 785), score(4.2e6, 0, 785),
                score(5.5e6, 0, 785))).eventsPerSecond()).isCloseTo(0.818, within(1e-3));
    }

    @Test
    void an_even_number_of_rounds_takes_the_mean_of_the_two_middle_ratios() {
        assertThat(Replay.pairedRatio(rounds(1.0, 2.0, 3.0, 4.0), rounds(1.0, 2.5, 2.5, 5.0))) // 1, 0.8, 1.2, 0.8
                .isCloseTo((0.8 + 1.0) / 2, within(1e-9));
    }

    @Test
    void a_ratio_needs_both_benchmarks_to_have_run_the_same_rounds() {
        assertThatThrownBy(() -> Replay.pairedRatio(rounds(1.0, 2.0), rounds(1.0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Replay.pairedRatio(rounds(), rounds()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_two_benchmarks_the_goal_compares_run_one_after_the_other_in_every_round() {
        int framework = Replay.BENCHMARKS.indexOf("framework");
        int handWritten = Replay.BENCHMARKS.indexOf("handWritten");

        assertThat(Math.abs(framework - handWritten)).isEqualTo(1); // neighbours in an order and in its reverse
    }

    private static Replay.Score rounds(double... eventsPerSecond) {
        return new Replay.Score("b", Double.NaN, 0, 785, java.util.Arrays.stream(eventsPerSecond).boxed().toList());
    }

    private static Replay.Score score(double eventsPerSecond, double error, double allocated) {
        return new Replay.Score("b", eventsPerSecond, error, allocated, List.of(eventsPerSecond));
    }
}
