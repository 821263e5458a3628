package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Section 7's bare half at a tiny scale: the seeded table and what a bare parallel Scan of it counts. */
class RebuildThroughputTest {

    @Test
    void the_bare_parallel_scan_counts_every_order_commit_and_event_whatever_the_segments_and_page_size()
            throws Exception {
        try (BenchEnv env = new BenchEnv(LocalAws.shared())) {
            RebuildThroughput.Config config = new RebuildThroughput.Config(12, 4, 3, 5);
            String table = RebuildThroughput.seed(env, config);

            // per order: Order created, approved (2 commits); per customer: created + one reservation per order
            long items = env.plain().scan(b -> b.tableName(table).select("COUNT")).count();
            assertThat(items).isEqualTo(12 * 2 + 4 + 12);
            for (int segments : new int[] {1, 3}) {
                RebuildThroughput.Pass pass = RebuildThroughput.bareScan(env.plain(), table, Set.of("Order"),
                        segments, 5, "bare");
                assertThat(pass.itemsScanned()).isEqualTo(items);
                assertThat(pass.itemsMatched()).isEqualTo(24);
                assertThat(pass.events()).isEqualTo(24);
                assertThat(pass.eventsPerSecond()).isPositive();
                // a page of 5 items: at least items/5 requests
                assertThat(pass.requests()).isGreaterThanOrEqualTo(items / 5);
            }
            RebuildThroughput.Pass both = RebuildThroughput.bareScan(env.plain(), table, Set.of("Order", "Customer"),
                    2, 100, "bare");
            assertThat(both.itemsMatched()).isEqualTo(items);
            assertThat(both.events()).isEqualTo(items);
        }
    }

    @Test
    void the_rebuild_hands_every_event_over_once_and_its_write_units_are_counted_by_kind() throws Exception {
        try (BenchEnv env = new BenchEnv(LocalAws.shared())) {
            RebuildThroughput.Result r = RebuildThroughput.run(env, new RebuildThroughput.Config(12, 4, 2, 5),
                    RebuildThroughput.applicationProjections(), RebuildThroughput.PROJECTION, line -> { });

            assertThat(r.bareBefore().events()).isEqualTo(24);
            assertThat(r.bareAfter().events()).isEqualTo(24);
            assertThat(r.rebuild().events()).isEqualTo(24);
            assertThat(r.rebuild().itemsScanned()).isEqualTo(r.tableItems());
            assertThat(r.builtVersion()).isEqualTo(1);
            assertThat(RebuildThroughput.checks(r).get(0).passed()).isTrue();
            RebuildThroughput.WriteUnits u = r.writeUnits();
            // a row per order, written once or twice (its two commits on one page or two); the same for checkpoints
            assertThat(u.rowWrites()).isBetween(12L, 24L);
            assertThat(u.checkpointWrites()).isBetween(12L, 24L);
            // transactional: 2 units per item under 1 KB
            assertThat(u.rowUnits()).isEqualTo(2 * u.rowWrites());
            assertThat(u.checkpointUnits()).isEqualTo(2 * u.checkpointWrites());
            assertThat(u.bookkeepingWrites()).isPositive();
            assertThat(r.unitsPerEvent()).isEqualTo((double) u.total() / 24);
            assertThat(r.ratio()).isPositive();
        }
    }
}
