package dev.nosqles.app.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code SAGA_SWEEP_GRACE_SECONDS}: how long past due a saga must be before the sweeper acts (ADR 0011). */
class SagaSweepGraceTest {
    @Test
    void absent_or_blank_means_at_the_deadline_and_whole_seconds_up_to_an_hour_are_taken() {
        assertThat(SagaSweepHandler.grace(null)).isEqualTo(Duration.ZERO);
        assertThat(SagaSweepHandler.grace(" ")).isEqualTo(Duration.ZERO);
        assertThat(SagaSweepHandler.grace("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SagaSweepHandler.grace(" 3600 ")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void anything_else_is_refused_naming_the_variable_not_the_value() {
        for (String bad : new String[] {"-1", "3601", "1.5", "2m", "lots"}) {
            assertThatThrownBy(() -> SagaSweepHandler.grace(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SAGA_SWEEP_GRACE_SECONDS must be whole seconds from 0 to 3600");
        }
    }

    @Test
    void with_sweeper_deadlines_a_grace_is_refused_naming_both_variables_and_none_is_taken() {
        assertThat(SagaSweepHandler.grace("0", "300")).isEqualTo(Duration.ZERO);
        assertThat(SagaSweepHandler.grace(null, "300")).isEqualTo(Duration.ZERO);
        assertThat(SagaSweepHandler.grace("120", null)).isEqualTo(Duration.ofSeconds(120)); // deadline messages
        assertThatThrownBy(() -> SagaSweepHandler.grace("120", "300")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SAGA_SWEEP_GRACE_SECONDS must be 0 when SAGA_UNSENT_COMMAND_ALLOWANCE_SECONDS is set "
                        + "(deadlines kept by the sweeper alone)");
    }
}
