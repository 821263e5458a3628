package dev.nosqles.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.projection.AccountSummaries;
import java.net.URI;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Every DynamoDB adapter is built one way: {@code builder().client(c).tableName(t).build()}, and {@code build()}
 * refuses a missing client or a missing or blank table name with a message naming the part. Building sends no
 * request, so the clients point at an address nothing listens on.
 */
class AdapterBuildersTest {
    private static final URI NOWHERE = URI.create("http://127.0.0.1:9");
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    private static final DynamoDbClient DYNAMO = DynamoDbClient.builder().region(Region.US_EAST_1)
            .endpointOverride(NOWHERE).credentialsProvider(CREDENTIALS)
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private static final KmsClient KMS = KmsClient.builder().region(Region.US_EAST_1).endpointOverride(NOWHERE)
            .credentialsProvider(CREDENTIALS).httpClientBuilder(UrlConnectionHttpClient.builder()).build();

    @AfterAll
    static void closeClients() {
        DYNAMO.close();
        KMS.close();
    }

    /** Each adapter's builder given a client and a table name (null for "not set"), with every other part set. */
    static Stream<Arguments> adapters() {
        return Stream.of(
                adapter("DynamoDbEventStore", (client, table) -> {
                    var b = DynamoDbEventStore.builder();
                    if (client != null) {
                        b.client(client);
                    }
                    return b.tableName(table).build();
                }),
                adapter("DynamoDbSnapshotStore", (client, table) -> {
                    var b = DynamoDbSnapshotStore.builder();
                    if (client != null) {
                        b.client(client);
                    }
                    return b.tableName(table).build();
                }),
                adapter("DynamoDbCheckpointStore", (client, table) -> {
                    var b = DynamoDbCheckpointStore.builder();
                    if (client != null) {
                        b.client(client);
                    }
                    return b.tableName(table).build();
                }),
                adapter("DynamoDbSagaDeadlines", (client, table) -> {
                    var b = DynamoDbSagaDeadlines.builder();
                    if (client != null) {
                        b.client(client);
                    }
                    return b.tableName(table).build();
                }),
                adapter("DynamoDbKmsSubjectKeys", (client, table) -> {
                    var b = DynamoDbKmsSubjectKeys.builder().kms(KMS).kmsKeyId("alias/subject-keys");
                    if (client != null) {
                        b.dynamoDb(client);
                    }
                    return b.tableName(table).build();
                }),
                adapter("DynamoDbReadModels", (client, table) -> {
                    var b = DynamoDbReadModels.builder().checkpointsTable("checkpoints").eventsTable("events")
                            .eventStore(new InMemoryEventStore()).projections(List.of(AccountSummaries.projection()))
                            .cursorKey(new byte[32]);
                    if (client != null) {
                        b.client(client);
                    }
                    return b.readModelsTable(table).build();
                }));
    }

    private static Arguments adapter(String name, BiFunction<DynamoDbClient, String, Object> build) {
        return Arguments.of(name, build);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void an_adapter_given_its_client_and_table_name_is_built(String name,
            BiFunction<DynamoDbClient, String, Object> build) {
        assertThat(build.apply(DYNAMO, "table")).isNotNull().extracting(o -> o.getClass().getSimpleName())
                .isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void build_without_a_client_is_refused_naming_the_client(String name,
            BiFunction<DynamoDbClient, String, Object> build) {
        assertThatThrownBy(() -> build.apply(null, "table"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(client|dynamoDb).* is required.*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void build_without_a_table_name_is_refused_naming_the_table(String name,
            BiFunction<DynamoDbClient, String, Object> build) {
        assertThatThrownBy(() -> build.apply(DYNAMO, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(tableName|readModelsTable) is required");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void build_with_a_blank_table_name_is_refused(String name, BiFunction<DynamoDbClient, String, Object> build) {
        assertThatThrownBy(() -> build.apply(DYNAMO, "  "))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(tableName|readModelsTable) is required");
    }

    @Test
    void subject_keys_without_a_kms_client_or_key_id_are_refused_naming_the_part() {
        assertThatThrownBy(() -> DynamoDbKmsSubjectKeys.builder().dynamoDb(DYNAMO).tableName("keys")
                .kmsKeyId("alias/k").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("kms (the KMS client) is required");
        assertThatThrownBy(() -> DynamoDbKmsSubjectKeys.builder().dynamoDb(DYNAMO).tableName("keys").kms(KMS)
                .kmsKeyId(" ").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("kmsKeyId is required");
    }
}
