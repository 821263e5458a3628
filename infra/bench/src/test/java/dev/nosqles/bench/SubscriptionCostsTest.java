package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.nosqles.localaws.LocalAws;
import org.junit.jupiter.api.Test;

/**
 * Section 10's counts, pinned on moto (issue 15, item 2): 6 aggregates × 4 one-event commits in stream order, so a
 * batch of 10 records holds 6 or 4 aggregates. Checkpoint writes, reads and units come from the requests really
 * sent; a change that writes a checkpoint per event again, or gives a relay one, fails here.
 */
class SubscriptionCostsTest {
    @Test
    void a_checkpoint_moves_once_per_aggregate_per_batch_and_a_relay_never() {
        SubscriptionCosts.Result result;
        try (BenchEnv env = new BenchEnv(LocalAws.shared())) {
            result = SubscriptionCosts.run(env, new SubscriptionCosts.Config(6, 4, 10));
        }

        assertThat(result.rows()).extracting(SubscriptionCosts.Row::subscriber, SubscriptionCosts.Row::mode,
                SubscriptionCosts.Row::batches, SubscriptionCosts.Row::events, SubscriptionCosts.Row::expectedMoves,
                SubscriptionCosts.Row::checkpointWrites, SubscriptionCosts.Row::checkpointReads,
                SubscriptionCosts.Row::writeUnits).containsExactly(
                // every commit alone: a read and a write per event, 1 WRU per event
                tuple("checkpoints", "one commit per batch", 24, 24L, 24L, 24L, 24L, 24L),
                // 24 records in batches of 10: 6 + 6 + 4 distinct aggregates, one read per batch
                tuple("checkpoints", "batches of 10 records", 3, 24L, 16L, 16L, 3L, 16L),
                tuple("relay (no checkpoints)", "one commit per batch", 24, 24L, 0L, 0L, 0L, 0L),
                tuple("relay (no checkpoints)", "batches of 10 records", 3, 24L, 0L, 0L, 0L, 0L));
        assertThat(result.rows().get(0).writeUnitsPerEvent()).isEqualTo(1.0);
        assertThat(result.rows().get(1).writeUnitsPerEvent()).isCloseTo(16.0 / 24, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(SubscriptionCosts.checks(result)).allMatch(Check::passed);
        assertThat(SubscriptionCosts.section(result)).contains("## 10. Subscriptions", "| **1.000** |",
                "| **0.667** |", "| **0.000** |");
    }
}
