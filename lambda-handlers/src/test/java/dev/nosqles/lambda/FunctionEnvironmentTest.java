package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.app.saga.OrderCommandHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The one wiring helper: variables read once, a missing one named (never a value), each client built once. */
class FunctionEnvironmentTest {
    private static final String VALUE = "value-that-must-not-appear-in-messages";

    @Test
    void a_missing_variable_is_named_and_no_value_is_shown() {
        FunctionEnvironment env = FunctionEnvironment.of(Map.of("AWS_REGION", "eu-west-1", "OTHER", VALUE)::get);

        assertThatThrownBy(() -> env.required("EVENTS_TABLE")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("EVENTS_TABLE").hasMessageNotContaining(VALUE)
                .hasMessageNotContaining("eu-west-1");
    }

    @Test
    void a_blank_variable_counts_as_missing() {
        FunctionEnvironment env = FunctionEnvironment.of(Map.of("EVENTS_TABLE", "  ")::get);

        assertThat(env.isSet("EVENTS_TABLE")).isFalse();
        assertThatThrownBy(() -> env.required("EVENTS_TABLE")).hasMessageContaining("EVENTS_TABLE");
    }

    @Test
    void an_entry_point_refuses_to_start_naming_the_variable_it_lacks() {
        Map<String, String> env = Map.of("AWS_REGION", "eu-west-1", "EVENTS_TABLE", VALUE, "SNAPSHOTS_TABLE", VALUE);

        assertThatThrownBy(() -> new OrderCommandHandler(env::get)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SAGA_REPLIES_QUEUE_URL").hasMessageNotContaining(VALUE);
    }

    @Test
    void batch_concurrency_is_one_unless_set_and_a_value_outside_one_to_sixty_four_is_refused_naming_the_variable() {
        assertThat(FunctionEnvironment.of(name -> null).batchConcurrency()).isEqualTo(1);
        assertThat(FunctionEnvironment.of(Map.of(FunctionEnvironment.BATCH_CONCURRENCY, " 8 ")::get)
                .batchConcurrency()).isEqualTo(8);
        for (String bad : List.of("0", "65", "eight", "-1")) {
            assertThatThrownBy(() -> FunctionEnvironment.of(Map.of(FunctionEnvironment.BATCH_CONCURRENCY, bad)::get)
                    .batchConcurrency()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(FunctionEnvironment.BATCH_CONCURRENCY).hasMessageNotContaining(bad);
        }
    }

    @Test
    void each_client_is_built_once_and_each_variable_read_once() {
        Map<String, String> values = new HashMap<>(Map.of("AWS_REGION", "eu-west-1"));
        Map<String, AtomicInteger> reads = new HashMap<>();
        FunctionEnvironment env = FunctionEnvironment.of(name -> {
            reads.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            return values.get(name);
        });

        List<Object> first = List.of(env.dynamoDb(), env.sqs(), env.sns(), env.kms(), env.telemetry());
        List<Object> second = List.of(env.dynamoDb(), env.sqs(), env.sns(), env.kms(), env.telemetry());

        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i)).isSameAs(first.get(i));
        }
        assertThat(reads.get("AWS_REGION")).hasValue(1);
    }

    @Test
    void a_client_is_built_without_the_environments_own_lock_so_two_clients_are_built_on_two_threads_at_once()
            throws Exception {
        // the API function builds its KMS client on a thread of its own while the init thread builds the DynamoDB
        // client: no client's build (nor the credentials they share) may wait for a lock the others take
        FunctionEnvironment env = FunctionEnvironment.of(Map.of("AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "secret")::get, name -> null);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            synchronized (env) {
                var kms = CompletableFuture.supplyAsync(env::kms, threads);
                var dynamoDb = CompletableFuture.supplyAsync(env::dynamoDb, threads);
                assertThat(kms.get(30, TimeUnit.SECONDS)).isSameAs(env.kms());
                assertThat(dynamoDb.get(30, TimeUnit.SECONDS)).isSameAs(env.dynamoDb());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void the_execution_roles_keys_lambda_sets_are_signed_with_directly_and_the_chain_serves_every_other_case() {
        Map<String, String> lambda = Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token");
        FunctionEnvironment onDemand = FunctionEnvironment.of(lambda::get, property -> null);

        // a function without SnapStart: the keys Lambda set, the session token included, and no chain built
        assertThat(onDemand.credentials()).isInstanceOf(StaticCredentialsProvider.class)
                .isSameAs(onDemand.credentials());
        assertThat(onDemand.credentials().resolveCredentials()).isInstanceOfSatisfying(AwsSessionCredentials.class,
                c -> assertThat(List.of(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))
                        .containsExactly("AKIDEXAMPLE", "secret", "token"));
        Map<String, String> noToken = Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret");
        assertThat(FunctionEnvironment.of(noToken::get, property -> null).credentials().resolveCredentials())
                .isNotInstanceOf(AwsSessionCredentials.class)
                .satisfies(c -> assertThat(c.accessKeyId()).isEqualTo("AKIDEXAMPLE"));
        // the SDK's system properties come first, as in the chain (the local runtime's emulator credentials)
        assertThat(FunctionEnvironment.of(lambda::get, Map.of("aws.accessKeyId", "local")::get).credentials())
                .isInstanceOf(DefaultCredentialsProvider.class);
        // a SnapStart function has no keys: the chain finds the container endpoint's; so does half a pair
        assertThat(FunctionEnvironment.of(Map.of("AWS_REGION", "eu-west-1")::get, property -> null).credentials())
                .isInstanceOf(DefaultCredentialsProvider.class);
        assertThat(FunctionEnvironment.of(Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")::get, property -> null)
                .credentials()).isInstanceOf(DefaultCredentialsProvider.class);
    }

    @Test
    void the_process_environment_is_one_instance_so_its_clients_are_built_once_per_process() {
        assertThat(FunctionEnvironment.system()).isSameAs(FunctionEnvironment.system());
    }
}
