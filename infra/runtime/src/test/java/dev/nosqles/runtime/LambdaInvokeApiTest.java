package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.http.LocalApiServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The local Lambda Invoke API, through the AWS SDK's Lambda client, as the operator's redrive calls it. */
class LambdaInvokeApiTest {
    private static final String EVENT = "{\"Records\":[{\"eventID\":\"e1\",\"eventName\":\"INSERT\","
            + "\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\",\"awsRegion\":\"us-east-1\","
            + "\"eventSourceARN\":\"arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/s\",\"dynamodb\":{"
            + "\"ApproximateCreationDateTime\":1764500000,\"Keys\":{\"streamId\":{\"S\":\"Thing-1\"},"
            + "\"version\":{\"N\":\"1\"}},\"NewImage\":{\"streamId\":{\"S\":\"Thing-1\"},\"version\":{\"N\":\"1\"},"
            + "\"events\":{\"L\":[{\"M\":{\"id\":{\"S\":\"x\"},\"ok\":{\"BOOL\":true}}}]}},"
            + "\"SequenceNumber\":\"100\",\"SizeBytes\":42,\"StreamViewType\":\"NEW_IMAGE\"}}]}";

    private final List<DynamodbEvent> received = new ArrayList<>();
    private LocalApiServer server;
    private LambdaClient lambda;

    @BeforeEach
    void given_a_stream_function_a_failing_one_and_a_queue_function() throws Exception {
        LambdaInvokeApi api = new LambdaInvokeApi(List.of(
                new LambdaInvokeApi.Function("Projector", (event, context) -> {
                    received.add(event);
                    assertThat(context.getFunctionName()).isEqualTo("Projector");
                    return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure("100")));
                }, Duration.ofSeconds(30)),
                new LambdaInvokeApi.Function("Broken", (event, context) -> {
                    throw new IllegalStateException("cannot project");
                }, Duration.ofSeconds(30)),
                new LambdaInvokeApi.Function("QueueFunction", null, Duration.ofSeconds(30))),
                "us-east-1", Clock.systemUTC());
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(api.route()));
        lambda = LocalAws.shared().configure(LambdaClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(server.baseUri()).build();
    }

    @AfterEach
    void stop() {
        lambda.close();
        server.close();
    }

    private InvokeResponse invoke(String function, String payload) {
        return lambda.invoke(b -> b.functionName(function).payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void a_stream_function_gets_the_event_as_lambda_delivers_it_and_its_response_comes_back_as_json() {
        InvokeResponse response = invoke("Projector", EVENT);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.functionError()).isNull();
        assertThat(response.payload().asUtf8String()).isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"100\"}]}");
        DynamodbEvent.DynamodbStreamRecord r = received.getFirst().getRecords().getFirst();
        assertThat(r.getEventName()).isEqualTo("INSERT");
        assertThat(r.getDynamodb().getSequenceNumber()).isEqualTo("100");
        assertThat(r.getDynamodb().getApproximateCreationDateTime().getTime()).isEqualTo(1_764_500_000_000L);
        assertThat(r.getDynamodb().getNewImage().get("version").getN()).isEqualTo("1");
        assertThat(r.getDynamodb().getNewImage().get("events").getL().getFirst().getM().get("ok").getBOOL()).isTrue();
        assertThat(r.getDynamodb().getKeys().get("streamId").getS()).isEqualTo("Thing-1");
    }

    @Test
    void a_function_that_throws_answers_200_with_the_unhandled_function_error() {
        InvokeResponse response = invoke("Broken", EVENT);

        assertThat(response.functionError()).isEqualTo("Unhandled");
        assertThat(response.payload().asUtf8String()).contains("\"errorType\":\"java.lang.IllegalStateException\"");
    }

    @Test
    void an_unknown_function_a_queue_function_and_a_payload_that_is_no_stream_event_are_refused() {
        assertThatThrownBy(() -> invoke("Nobody", EVENT)).isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> invoke("QueueFunction", EVENT)).isInstanceOf(InvalidRequestContentException.class);
        assertThatThrownBy(() -> invoke("Projector", "{\"Records\":[{\"dynamodb\":{\"Keys\":{\"a\":{\"X\":1}}}}]}"))
                .isInstanceOf(InvalidRequestContentException.class);
        assertThat(received).isEmpty();
    }
}
