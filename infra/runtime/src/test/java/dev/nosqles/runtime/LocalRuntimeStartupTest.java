package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.localaws.AwsService;
import dev.nosqles.localaws.LocalAws;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRuntimeStartupTest {
    private static final String SQS_ENDPOINT = AwsService.SQS.systemProperty();
    @TempDir
    Path dir;

    private static final String QUEUE_FUNCTION = """
            Resources:
              Inbox:
                Type: AWS::SQS::Queue
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: %s::handleRequest
                  Events:
                    Work:
                      Type: SQS
                      Properties: {Queue: !GetAtt Inbox.Arn}
            """;

    private LocalRuntime.Options options(String yaml) throws IOException {
        Path template = Files.writeString(dir.resolve("template.yaml"), yaml);
        return LocalRuntime.Options.of(template).withPort(0).withAws(LocalAws.shared())
                .withStackName("start-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false).withLog(line -> { });
    }

    @Test
    void a_handler_without_an_environment_constructor_is_refused_and_nothing_stays_configured() throws IOException {
        String before = System.getProperty(SQS_ENDPOINT);
        LocalRuntime.Options options = options(QUEUE_FUNCTION.formatted(
                "dev.nosqles.runtime.fixtures.NoEnvironmentHandler"));
        assertThatThrownBy(() -> LocalRuntime.start(options))
                .isInstanceOfSatisfying(FunctionLoadException.class, e -> {
                    assertThat(e.function()).isEqualTo("Worker");
                    assertThat(e.handlerClass()).isEqualTo("dev.nosqles.runtime.fixtures.NoEnvironmentHandler");
                })
                .hasMessageContaining("java.util.function.Function");
        assertThat(System.getProperty(SQS_ENDPOINT)).isEqualTo(before);
    }

    @Test
    void a_handler_whose_input_does_not_match_its_event_is_refused() throws IOException {
        LocalRuntime.Options options = options(QUEUE_FUNCTION.formatted(
                "dev.nosqles.runtime.fixtures.PublishingStreamHandler"));
        assertThatThrownBy(() -> LocalRuntime.start(options))
                .isInstanceOf(FunctionLoadException.class).hasMessageContaining("DynamodbEvent")
                .hasMessageContaining("SQSEvent");
    }

    @Test
    void a_handler_class_missing_from_the_classpath_is_refused() throws IOException {
        LocalRuntime.Options options = options(QUEUE_FUNCTION.formatted("dev.nosqles.NoSuchHandler"));
        assertThatThrownBy(() -> LocalRuntime.start(options))
                .isInstanceOf(FunctionLoadException.class).hasMessageContaining("not found");
    }

    @Test
    void while_running_sdk_clients_built_without_an_endpoint_reach_the_local_aws_and_close_puts_everything_back()
            throws Exception {
        String before = System.getProperty(SQS_ENDPOINT);
        RunningApp app = LocalRuntime.start(options(QUEUE_FUNCTION.formatted(
                "dev.nosqles.runtime.fixtures.RecordingQueueHandler")));
        URI base = app.baseUri();
        assertThat(System.getProperty(SQS_ENDPOINT)).isEqualTo(app.aws().endpoint(AwsService.SQS).toString());
        try (var sqs = software.amazon.awssdk.services.sqs.SqsClient.builder()
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .build()) {
            assertThat(sqs.listQueues().queueUrls()).contains(app.resources().queueUrl("Inbox"));
        }
        app.close();

        assertThat(System.getProperty(SQS_ENDPOINT)).isEqualTo(before);
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/x")).build(),
                HttpResponse.BodyHandlers.discarding())).isInstanceOf(ConnectException.class);
    }
}
