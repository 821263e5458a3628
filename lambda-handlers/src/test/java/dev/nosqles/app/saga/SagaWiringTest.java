package dev.nosqles.app.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import java.time.Instant;
import java.util.List;
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

    private static Instant dueOfANewSaga(Map<String, String> variables) {
        java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
        dev.nosqles.memory.InMemoryEventStore events = new dev.nosqles.memory.InMemoryEventStore(clock);
        dev.nosqles.memory.InMemorySagaDeadlines deadlines = new dev.nosqles.memory.InMemorySagaDeadlines();
        java.util.Map<String, String> env = new java.util.HashMap<>(ENV);
        env.putAll(variables);
        SagaWiring wiring = new SagaWiring(events, dev.nosqles.store.SnapshotStore.none(), null,
                new dev.nosqles.saga.SagaMessageSender() {
                    @Override
                    public void send(dev.nosqles.saga.SagaMessage.CommandMessage command) {
                    }

                    @Override
                    public void send(dev.nosqles.saga.SagaMessage.ReplyMessage reply) {
                    }

                    @Override
                    public void schedule(dev.nosqles.saga.SagaMessage.DeadlineMessage deadline,
                                         java.time.Duration delay) {
                    }
                }, clock, deadlines, FunctionEnvironment.of(env::get));
        wiring.manager(CreateOrderSaga.definition(), dev.nosqles.metrics.Metrics.none())
                .start("order-created-1", new CreateOrderSagaData("o1", "c1", new java.math.BigDecimal("10")),
                        dev.nosqles.store.EventMetadata.empty());
        return deadlines.all().getFirst().dueAt();
    }

    @Test
    void the_unsent_command_allowance_variable_turns_on_sweeper_deadlines_and_a_bad_value_is_refused_naming_it() {
        Instant decided = Instant.parse("2026-01-01T00:00:00Z");
        // absent: deadline messages, the entry due at the step's deadline
        assertThat(dueOfANewSaga(Map.of())).isEqualTo(decided.plus(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE));
        // set: sweeper deadlines, the entry unarmed until its command is sent (ADR 0013)
        assertThat(dueOfANewSaga(Map.of(SagaWiring.UNSENT_COMMAND_ALLOWANCE, "300")))
                .isEqualTo(decided.plus(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE).plusSeconds(300));
        for (String bad : List.of("-1", "5m", "86401")) {
            assertThatThrownBy(() -> dueOfANewSaga(Map.of(SagaWiring.UNSENT_COMMAND_ALLOWANCE, bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(SagaWiring.UNSENT_COMMAND_ALLOWANCE).hasMessageNotContaining(bad);
        }
    }
}
