package dev.nosqles.app.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The saga functions' wiring takes its clients from the one wiring helper: no second client per function. */
class SagaWiringTest {
    private static final Map<String, String> ENV = Map.of("AWS_REGION", "eu-west-1", "EVENTS_TABLE", "events",
            "SNAPSHOTS_TABLE", "snapshots", "CHECKPOINTS_TABLE", "checkpoints", "SAGA_REPLIES_QUEUE_URL",
            "http://localhost/replies");

    @Test
    void the_stores_of_one_function_share_the_environments_dynamodb_client() {
        FunctionEnvironment env = FunctionEnvironment.of(ENV::get);

        SagaWiring first = SagaWiring.fromEnvironment(env, true);
        SagaWiring second = SagaWiring.fromEnvironment(env, false);

        assertThat(first.dynamoDb()).isSameAs(env.dynamoDb()).isSameAs(second.dynamoDb());
        assertThat(first.environment()).isSameAs(env);
    }

    @Test
    void an_orchestrators_function_without_a_deadline_table_is_refused_naming_the_variable() {
        SagaWiring wiring = SagaWiring.fromEnvironment(FunctionEnvironment.of(ENV::get), false);

        assertThat(wiring.deadlines()).isNull();
        assertThatThrownBy(wiring::requireDeadlines).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(SagaWiring.DEADLINES_TABLE);
    }
}
