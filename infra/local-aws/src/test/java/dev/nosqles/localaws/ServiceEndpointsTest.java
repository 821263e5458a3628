package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** Service-specific endpoints: the SDK's own variable and property names, and which service goes where. */
class ServiceEndpointsTest {
    private final LocalAws moto = LocalAws.of(Backend.MOTO, URI.create("http://127.0.0.1:5000"), Region.US_EAST_1,
            "moto", () -> { });

    @Test
    void the_names_are_the_ones_the_sdk_reads() {
        assertThat(AwsService.DYNAMODB.environmentVariable()).isEqualTo("AWS_ENDPOINT_URL_DYNAMODB");
        assertThat(AwsService.DYNAMODB.systemProperty()).isEqualTo("aws.endpointUrlDynamoDb");
        assertThat(AwsService.DYNAMODB_STREAMS.systemProperty()).isEqualTo("aws.endpointUrlDynamoDbStreams");
        assertThat(AwsService.SQS.systemProperty()).isEqualTo("aws.endpointUrlSqs");
        assertThat(AwsService.SNS.environmentVariable()).isEqualTo("AWS_ENDPOINT_URL_SNS");
    }

    @Test
    void a_service_with_an_endpoint_of_its_own_goes_there_and_the_others_to_the_backend() {
        LocalAws mixed = moto.withServiceEndpoints(Map.of("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
                Map.of());

        assertThat(mixed.endpoint(AwsService.DYNAMODB)).hasToString("http://127.0.0.1:8000");
        assertThat(mixed.endpoint(AwsService.DYNAMODB_STREAMS)).as("streams follow their tables")
                .hasToString("http://127.0.0.1:8000");
        assertThat(mixed.endpoint(AwsService.SQS)).hasToString("http://127.0.0.1:5000");
        assertThat(mixed.endpointVariables()).containsEntry("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:5000")
                .containsEntry("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000");
        try (DynamoDbClient dynamo = mixed.configure(DynamoDbClient.builder()).build();
             DynamoDbStreamsClient streams = mixed.configure(DynamoDbStreamsClient.builder()).build()) {
            assertThat(dynamo.serviceClientConfiguration().endpointOverride()).hasValue(
                    URI.create("http://127.0.0.1:8000"));
            assertThat(streams.serviceClientConfiguration().endpointOverride()).hasValue(
                    URI.create("http://127.0.0.1:8000"));
        }
    }

    @Test
    void the_system_property_wins_over_the_environment_variable_as_in_the_sdk() {
        LocalAws aws = moto.withServiceEndpoints(Map.of("AWS_ENDPOINT_URL_SQS", "http://env:1"),
                Map.of("aws.endpointUrlSqs", "http://property:2"));

        assertThat(aws.endpoint(AwsService.SQS)).hasToString("http://property:2");
    }

    @Test
    void nothing_configured_leaves_everything_on_the_backend() {
        assertThat(moto.withServiceEndpoints(Map.of(), Map.of())).isSameAs(moto);
        assertThat(moto.endpointProperties()).containsEntry("aws.endpointUrlDynamoDb", "http://127.0.0.1:5000");
    }
}
