package dev.nosqles.runtime.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.runtime.chaos.ChaosFaults.Family;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a chaos run's fault families are chosen, and the replay command it prints. */
class ChaosConfigTest {

    @Test
    void all_is_every_family_and_none_is_no_family() {
        assertThat(ChaosConfig.families("all")).isEqualTo(EnumSet.allOf(Family.class));
        assertThat(ChaosConfig.families("none")).isEmpty();
    }

    @Test
    void a_list_names_the_families_to_run() {
        assertThat(ChaosConfig.families("dlq, dynamodb-lost-write")).isEqualTo(Set.of(Family.DLQ,
                Family.DYNAMODB_LOST_WRITE));
    }

    @Test
    void a_list_of_minus_names_takes_families_out_of_all() {
        Set<Family> expected = EnumSet.allOf(Family.class);
        expected.removeAll(Set.of(Family.KILL, Family.DLQ));

        assertThat(ChaosConfig.families("-kill,-dlq")).isEqualTo(expected);
    }

    @Test
    void the_bounded_variant_runs_every_family_but_the_order_commands_dlq_and_says_so_in_its_replay_command() {
        System.clearProperty("chaos.faults");
        ChaosConfig config = ChaosConfig.fromSystemProperties();

        assertThat(config.faults()).doesNotContain(Family.DLQ_ORDER_COMMANDS).contains(Family.DLQ, Family.KILL);
        assertThat(config.faultsArgument()).isEqualTo("-dlq-order-commands");
        assertThat(ChaosConfig.families(config.faultsArgument())).isEqualTo(config.faults());
    }

    @Test
    void the_wait_for_every_order_covers_the_approval_deadline_and_the_sweeper_only_when_approvals_die() {
        assertThat(new ChaosConfig(1, 6, 36, 4, Set.of(Family.DLQ), 1).settleSeconds()).isEqualTo(60);
        assertThat(new ChaosConfig(1, 6, 36, 4, Set.of(Family.DLQ_ORDER_COMMANDS), 1).settleSeconds()).isEqualTo(420);
        assertThat(new ChaosConfig(1, 6, 136, 4, Set.of(), 1).settleSeconds()).isEqualTo(160);
    }

    @Test
    void an_unknown_family_is_refused_with_the_known_ones() {
        assertThatThrownBy(() -> ChaosConfig.families("dynamo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dynamodb-lost-write");
    }

    @Test
    void the_replay_command_repeats_seed_sizes_and_families() {
        ChaosConfig config = new ChaosConfig(123, 6, 40, 3, Set.of(Family.DLQ), 2);

        assertThat(config.replayCommand())
                .isEqualTo("make chaos SEED=123 CUSTOMERS=6 ORDERS=40 CLIENTS=3 FAULTS=dlq SCALE=2.0");
    }

    @Test
    void every_family_but_the_kill_and_the_dlq_is_made_of_proxy_rules_and_the_checkpoint_rule_comes_first() {
        for (Family family : Family.values()) {
            boolean action = family == Family.KILL || family == Family.DLQ || family == Family.DLQ_ORDER_COMMANDS;
            assertThat(ChaosFaults.rules(family, 1, "stack-esm-checkpoints").isEmpty()).as(family.id())
                    .isEqualTo(action);
        }
        var all = ChaosFaults.rules(new ChaosConfig(1, 1, 1, 1, EnumSet.allOf(Family.class), 1),
                "stack-esm-checkpoints");
        assertThat(all.getFirst().resource()).isEqualTo("stack-esm-checkpoints");
    }

    @Test
    void the_scale_multiplies_every_probability_up_to_one() {
        assertThat(ChaosFaults.rules(Family.DYNAMODB_THROTTLE, 2, "t").getFirst().probability()).isEqualTo(0.04);
        assertThat(ChaosFaults.rules(Family.DYNAMODB_THROTTLE, 100, "t").getFirst().probability()).isEqualTo(1.0);
    }
}
