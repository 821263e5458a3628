package dev.nosqles.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplicationTest {
    @Test
    void the_lambda_wiring_refuses_to_start_without_its_events_table() {
        Map<String, String> env = Map.of("SNAPSHOTS_TABLE", "s", "AWS_REGION", "eu-west-1");
        assertThatThrownBy(() -> Application.fromEnvironment(env::get))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("EVENTS_TABLE");
    }

    @Test
    void the_lambda_wiring_refuses_to_start_without_its_snapshots_table() {
        Map<String, String> env = Map.of("EVENTS_TABLE", "e", "AWS_REGION", "eu-west-1");
        assertThatThrownBy(() -> Application.fromEnvironment(env::get))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SNAPSHOTS_TABLE");
    }

    @Test
    void the_lambda_wiring_refuses_to_start_without_a_region() {
        Map<String, String> env = Map.of("EVENTS_TABLE", "e", "SNAPSHOTS_TABLE", "s");
        assertThatThrownBy(() -> Application.fromEnvironment(env::get))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("AWS_REGION");
    }
}
