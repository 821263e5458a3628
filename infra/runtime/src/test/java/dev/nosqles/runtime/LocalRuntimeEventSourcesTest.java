package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.esm.EventSourcePoller;
import dev.nosqles.runtime.fixtures.PublishingStreamHandler;
import dev.nosqles.runtime.fixtures.RecordingQueueHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A template with a stream consumer, a FIFO topic, a subscribed queue and a queue consumer, as later functions will
 * declare them: the runtime wires a poller per event and the records travel table -> stream -> topic -> queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeEventSourcesTest {
    private RunningApp app;

    @BeforeAll
    void start() throws IOException {
        // the fixture's stream consumer without the two inert variables the runtime refuses to evaluate
        String yaml = Files.readString(LocalResourcesTest.fixture("event-driven.yaml"))
                .replace("          CHOSEN: !If [IsProd, a, b]\n", "")
                .replace("          JOINED: !Join [\"-\", [a, b]]\n", "");
        Path template = Files.createTempFile("event-driven-", ".yaml");
        Files.writeString(template, yaml);
        template.toFile().deleteOnExit();
        app = LocalRuntime.start(LocalRuntime.Options.of(template)
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("esm-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(line -> { }));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void runs_one_poller_per_dynamodb_and_sqs_event_named_after_the_function_and_event() {
        assertThat(app.pollers()).extracting(EventSourcePoller::mappingId)
                .containsExactly("ProjectionFunction-EventsStream", "NotifierFunction-Notifications");
    }

    @Test
    void hands_each_function_the_environment_the_template_gives_it() {
        PublishingStreamHandler projection = (PublishingStreamHandler) app.handler("ProjectionFunction");
        assertThat(projection.env("TOPIC_ARN")).isEqualTo(app.resources().topicArn("OrderEventsTopic"));
        assertThat(projection.env("STAGE")).isEqualTo("function");
        assertThat(((RecordingQueueHandler) app.handler("NotifierFunction")).env("STAGE")).isEqualTo("global");
    }

    @Test
    void an_event_written_through_the_api_reaches_the_stream_consumer_and_through_the_topic_the_queue_consumer()
            throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(app.baseUri() + "/customers"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ann\",\"creditLimit\":\"10\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String customerId = created.headers().firstValue("Location").orElseThrow().substring("/customers/".length());

        assertThat(app.drainUntilIdle()).isGreaterThanOrEqualTo(2);

        String key = "Customer-" + customerId + "/1";
        assertThat(((PublishingStreamHandler) app.handler("ProjectionFunction")).seen()).contains(key);
        assertThat(((RecordingQueueHandler) app.handler("NotifierFunction")).bodies()).contains(key);
        assertThat(app.drainUntilIdle()).isZero();
    }

}
