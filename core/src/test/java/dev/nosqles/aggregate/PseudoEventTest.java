package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.saga.SagaParticipant;
import org.junit.jupiter.api.Test;

/** Framework events are told apart from application events by their reserved type prefix. */
class PseudoEventTest {
    @Test
    void the_framework_types_are_pseudo_and_application_types_are_not() {
        assertThat(PseudoEvent.isPseudo(SagaParticipant.REPLY_REQUESTED)).isTrue();
        assertThat(PseudoEvent.isPseudo(PseudoEvent.TYPE_PREFIX + "MessageProcessed")).isTrue();
        assertThat(PseudoEvent.isPseudo("OrderCreated")).isFalse();
        assertThat(PseudoEvent.isPseudo("nosqles")).as("the prefix needs its dot").isFalse();
    }

    @Test
    void a_pseudo_event_must_carry_the_prefix_and_a_type_must_be_given() {
        assertThatThrownBy(() -> new PseudoEvent("OrderCreated", 1, "{}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PseudoEvent.isPseudo(null)).isInstanceOf(NullPointerException.class);
    }
}
