package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {

    @Test
    void moto_is_the_default_on_a_machine_without_docker_or_endpoint() {
        assertThat(Backend.decide(Map.of(), false)).isEqualTo(Backend.MOTO);
    }

    @Test
    void an_aws_endpoint_url_wins_over_docker() {
        assertThat(Backend.decide(Map.of("AWS_ENDPOINT_URL", "http://localhost:4566", "LOCALSTACK_AUTH_TOKEN", "t"), true))
                .isEqualTo(Backend.ENDPOINT);
    }

    @Test
    void localstack_needs_both_docker_and_an_auth_token() {
        assertThat(Backend.decide(Map.of("LOCALSTACK_AUTH_TOKEN", "t"), true)).isEqualTo(Backend.LOCALSTACK);
        assertThat(Backend.decide(Map.of("LOCALSTACK_AUTH_TOKEN", "t"), false)).isEqualTo(Backend.MOTO);
        assertThat(Backend.decide(Map.of(), true)).isEqualTo(Backend.MOTO);
    }

    @Test
    void ministack_is_chosen_by_name() {
        assertThat(Backend.decide(Map.of("NOSQLES_BACKEND", "ministack"), true)).isEqualTo(Backend.MINISTACK);
    }

    @Test
    void nosqles_backend_forces_the_choice_and_rejects_unknown_names() {
        assertThat(Backend.decide(Map.of("NOSQLES_BACKEND", "moto", "AWS_ENDPOINT_URL", "http://x"), true))
                .isEqualTo(Backend.MOTO);
        assertThatThrownBy(() -> Backend.decide(Map.of("NOSQLES_BACKEND", "dynalite"), false))
                .hasMessageContaining("moto, ministack, localstack or endpoint");
        assertThatThrownBy(() -> Backend.decide(Map.of("NOSQLES_BACKEND", "endpoint"), false))
                .hasMessageContaining("AWS_ENDPOINT_URL");
    }
}
