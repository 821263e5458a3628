package dev.nosqles.lambda.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** ADR 0010: the SQS saga sender is built like every adapter: {@code builder()}, validated in {@code build()}. */
class SqsSagaMessageSenderBuilderTest {
    // building sends no request: nothing listens here
    private final SqsClient sqs = SqsClient.builder().region(Region.US_EAST_1)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .endpointOverride(URI.create("http://127.0.0.1:9")).build();

    @Test
    void a_sender_given_its_client_and_the_queue_of_a_channel_is_built() {
        assertThat(SqsSagaMessageSender.builder().client(sqs).queueUrl("replies", "https://q/replies")
                .queueUrls(Map.of("commands", "https://q/commands.fifo")).build()).isNotNull();
    }

    @Test
    void build_without_a_client_is_refused_naming_the_client() {
        assertThatThrownBy(() -> SqsSagaMessageSender.builder().queueUrl("replies", "https://q/r").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("client");
    }

    @Test
    void build_without_any_queue_is_refused_naming_the_queue_url() {
        assertThatThrownBy(() -> SqsSagaMessageSender.builder().client(sqs).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("queue URL");
    }

    @Test
    void a_blank_queue_url_is_refused_naming_its_channel() {
        assertThatThrownBy(() -> SqsSagaMessageSender.builder().client(sqs).queueUrl("replies", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replies");
    }
}
