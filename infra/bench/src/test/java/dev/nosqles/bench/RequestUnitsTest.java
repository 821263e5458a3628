package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.bench.RequestUnits.Config;
import dev.nosqles.bench.RequestUnits.ReadCost;
import dev.nosqles.bench.RequestUnits.Result;
import dev.nosqles.bench.RequestUnits.WriteCost;
import dev.nosqles.localaws.LocalAws;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Section 1 of the benchmarks at a tiny scale, against moto: the deterministic facts behind the report. */
class RequestUnitsTest {
    private static final Config TINY = new Config(List.of(200), List.of(1, 5), 1, List.of(12), List.of(0, 5), 200);
    private static BenchEnv env;
    private static Result first;

    @BeforeAll
    static void run() {
        env = new BenchEnv(LocalAws.shared());
        first = RequestUnits.run(env, TINY);
    }

    @AfterAll
    static void close() {
        env.close();
    }

    @Test
    void one_200_byte_event_costs_one_write_unit_with_our_store() {
        WriteCost ours = first.write(RequestUnits.OURS, 200, 1).orElseThrow();
        assertThat(ours.writeUnits()).isEqualTo(1.0);
        assertThat(ours.requests()).isEqualTo(1.0);
        assertThat(RequestUnits.checks(first)).isNotEmpty().allMatch(Check::passed);
    }

    @Test
    void five_200_byte_events_in_one_command_cost_fewer_write_units_with_our_store_than_with_both_baselines() {
        WriteCost ours = first.write(RequestUnits.OURS, 200, 5).orElseThrow();
        WriteCost eventuate = first.write(RequestUnits.EVENTUATE, 200, 5).orElseThrow();
        WriteCost perEvent = first.write(RequestUnits.PER_EVENT, 200, 5).orElseThrow();
        assertThat(ours.writeUnits()).isLessThan(eventuate.writeUnits()).isLessThan(perEvent.writeUnits());
        assertThat(ours.itemsWritten()).isEqualTo(1.0);
    }

    @Test
    void the_per_event_baseline_pays_twice_its_items_units_for_a_five_event_transaction() {
        WriteCost perEvent = first.write(RequestUnits.PER_EVENT, 200, 5).orElseThrow();
        assertThat(perEvent.itemsWritten()).isEqualTo(5.0);
        assertThat(perEvent.writeUnits()).isEqualTo(2.0 * perEvent.itemUnits());
        // a single event needs no transaction
        WriteCost single = first.write(RequestUnits.PER_EVENT, 200, 1).orElseThrow();
        assertThat(single.writeUnits()).isEqualTo(single.itemUnits());
    }

    @Test
    void a_snapshot_cuts_the_load_to_the_snapshot_and_the_events_after_it() {
        ReadCost full = first.read(RequestUnits.OURS, 12, 0).orElseThrow();
        ReadCost snapshotted = first.read(RequestUnits.OURS, 12, 5).orElseThrow();
        assertThat(full.itemsRead()).isEqualTo(12);
        assertThat(snapshotted.snapshotVersion()).isEqualTo(10);
        assertThat(snapshotted.itemsRead()).isEqualTo(1 + 2);
    }

    @Test
    void unit_counts_are_identical_run_to_run() {
        Result second = RequestUnits.run(env, TINY);
        assertThat(second.writes()).usingRecursiveFieldByFieldElementComparator().isEqualTo(first.writes());
        assertThat(second.reads()).usingRecursiveFieldByFieldElementComparator().isEqualTo(first.reads());
    }
}
