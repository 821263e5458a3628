package dev.nosqles.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.localaws.LocalAws;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The API function's subject keys, built on a thread of their own during init with the key-encryption key unwrapped
 * (ADR 0020), against moto: the first use finds the key ready, a failed build is the first use's, and a function
 * restored from a SnapStart snapshot builds them at once.
 */
class PrefetchingSubjectKeysTest {
    private static DynamoDbClient dynamo;
    private static String keyId;

    @BeforeAll
    static void setUp() {
        dynamo = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        try (KmsClient kms = kms(new AtomicInteger())) {
            keyId = kms.createKey(b -> b.description("prefetch test")).keyMetadata().keyId();
        }
    }

    /** A KMS client counting its calls. */
    private static KmsClient kms(AtomicInteger calls) {
        return LocalAws.shared().configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        calls.incrementAndGet();
                    }
                })).build();
    }

    private static String tableWithKeyEncryptionKey() {
        String table = "prefetch-keys-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbKmsSubjectKeys.createTable(dynamo, table);
        DynamoDbKmsSubjectKeys.builder().dynamoDb(dynamo).tableName(table).kms(kms(new AtomicInteger()))
                .kmsKeyId(keyId).build().encrypt("someone-else", new byte[] {1}, new byte[0]);
        return table;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void the_keys_are_built_and_the_key_encryption_key_unwrapped_on_a_thread_of_their_own_before_the_first_use()
            throws InterruptedException {
        String table = tableWithKeyEncryptionKey();
        AtomicInteger kmsCalls = new AtomicInteger();
        List<String> builtOn = new CopyOnWriteArrayList<>();

        PrefetchingSubjectKeys keys = PrefetchingSubjectKeys.start(() -> {
            builtOn.add(Thread.currentThread().getName());
            return DynamoDbKmsSubjectKeys.builder().dynamoDb(dynamo).tableName(table).kms(kms(kmsCalls))
                    .kmsKeyId(keyId).build();
        });
        // nothing uses the keys yet: the key-encryption key is unwrapped all the same
        for (int i = 0; i < 600 && kmsCalls.get() == 0; i++) {
            Thread.sleep(50);
        }
        assertThat(kmsCalls.get()).isEqualTo(1);
        assertThat(builtOn).containsExactly("nosqles-subject-keys-prefetch");

        byte[] sealed = keys.encryptForNewSubject("c-1", bytes("Ann"), bytes("name"));

        // the first use: no KMS call of its own
        assertThat(kmsCalls.get()).isEqualTo(1);
        assertThat(keys.decrypt("c-1", sealed, bytes("name")))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Ann"));
        assertThat(builtOn).hasSize(1);
    }

    @Test
    void a_build_that_failed_on_the_thread_is_made_again_by_the_first_use_whose_failure_is_its_own() {
        String table = tableWithKeyEncryptionKey();
        AtomicInteger attempts = new AtomicInteger();
        List<String> builtOn = new CopyOnWriteArrayList<>();
        Supplier<DynamoDbKmsSubjectKeys> failingTwice = () -> {
            builtOn.add(Thread.currentThread().getName());
            if (attempts.incrementAndGet() <= 2) {
                throw new IllegalStateException("the KMS client could not be built (injected)");
            }
            return DynamoDbKmsSubjectKeys.builder().dynamoDb(dynamo).tableName(table).kms(kms(new AtomicInteger()))
                    .kmsKeyId(keyId).build();
        };
        PrefetchingSubjectKeys keys = PrefetchingSubjectKeys.start(failingTwice);

        // the thread's attempt failed; the first use builds again on its own thread and meets its own failure
        assertThatThrownBy(() -> keys.encrypt("c-2", bytes("Bob"), bytes("name")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("injected");
        // the next use builds again, and the keys work
        byte[] sealed = keys.encrypt("c-2", bytes("Bob"), bytes("name"));
        assertThat(keys.decrypt("c-2", sealed, bytes("name"))).isPresent();
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(builtOn.get(0)).isEqualTo("nosqles-subject-keys-prefetch");
        assertThat(builtOn.subList(1, 3)).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void only_a_function_whose_first_request_follows_its_init_at_once_prefetches() {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "eu-west-1", "SUBJECT_KEYS_TABLE", "keys",
                "PERSONAL_DATA_KEY_ID", "alias/personal-data"));
        // a local run (no type) and an on-demand init: the first request follows at once
        assertThat(Application.prefetchesKeys(FunctionEnvironment.of(env::get))).isTrue();
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        assertThat(Application.prefetchesKeys(FunctionEnvironment.of(env::get))).isTrue();
        // no thread into a SnapStart checkpoint; provisioned concurrency may init long before its first request
        for (String type : List.of("snap-start", "provisioned-concurrency", "something-new")) {
            env.put("AWS_LAMBDA_INITIALIZATION_TYPE", type);
            assertThat(Application.prefetchesKeys(FunctionEnvironment.of(env::get))).as(type).isFalse();
            assertThat(Application.subjectKeysPrefetched(FunctionEnvironment.of(env::get))).as(type)
                    .isInstanceOf(DynamoDbKmsSubjectKeys.class);
        }
    }

    @Test
    void a_missing_variable_fails_at_once() {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "eu-west-1", "SUBJECT_KEYS_TABLE", "keys"));

        assertThatThrownBy(() -> Application.subjectKeysPrefetched(FunctionEnvironment.of(env::get)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PERSONAL_DATA_KEY_ID");
    }
}
