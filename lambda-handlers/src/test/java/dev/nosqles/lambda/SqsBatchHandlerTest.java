package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The batch policy the SQS entry points compose: FIFO per message group, standard per message; logs without bodies. */
class SqsBatchHandlerTest {
    private static final String SECRET = "body-field-that-must-never-be-logged";

    private final List<String> handled = new ArrayList<>();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    /** Handles a body; a body starting with "fail" fails (its exception message names no body). */
    private SqsBatchHandler<String> batch() {
        return new SqsBatchHandler<>("test message", body -> body, (body, log) -> {
            if (body.startsWith("fail")) {
                throw new IllegalStateException("refused by the handler");
            }
            handled.add(body);
        }, Telemetry.fromEnvironment(Map.of(Telemetry.SERVICE, "shop-stack")::get));
    }

    private static SQSEvent.SQSMessage message(String id, String group, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        m.setAttributes(group == null ? Map.of() : Map.of(SqsBatchHandler.MESSAGE_GROUP_ID, group));
        return m;
    }

    private static SQSEvent event(SQSEvent.SQSMessage... messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(Arrays.asList(messages));
        return e;
    }

    private static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }

    @Test
    void on_a_fifo_queue_a_failure_fails_the_rest_of_its_group_and_the_other_groups_still_run() {
        SQSBatchResponse response = batch().handle(event(
                message("a1", "A", "a-first"), message("b1", "B", "b-first"),
                message("a2", "A", "fail-a"), message("b2", "B", "b-second"),
                message("a3", "A", "a-third"), message("b3", "B", "b-third")));

        assertThat(failed(response)).containsExactly("a2", "a3");
        assertThat(handled).containsExactly("a-first", "b-first", "b-second", "b-third");
    }

    private static SQSEvent.SQSMessage fromQueue(String arn, SQSEvent.SQSMessage message) {
        message.setEventSourceArn(arn);
        return message;
    }

    @Test
    void a_fifo_queues_messages_without_a_group_are_one_group_and_a_failure_fails_the_rest_of_the_batch() {
        String fifo = "arn:aws:sqs:eu-west-1:123456789012:customer-commands.fifo";
        List<JsonNode> logs;
        SQSBatchResponse response;
        try (LogCapture out = LogCapture.start()) {
            response = batch().handle(event(fromQueue(fifo, message("m1", null, "first")),
                    fromQueue(fifo, message("m2", null, "fail")), fromQueue(fifo, message("m3", null, "third")),
                    fromQueue(fifo, message("m4", null, "fourth"))));
            logs = out.logs();
        }

        assertThat(failed(response)).containsExactly("m2", "m3", "m4");
        assertThat(handled).containsExactly("first");
        assertThat(logs.stream().filter(l -> l.path("level").asText().equals("WARN"))
                .map(l -> l.path("message").asText())).singleElement()
                .satisfies(line -> assertThat(line).contains(SqsBatchHandler.MESSAGE_GROUP_ID));
    }

    @Test
    void a_standard_queues_messages_without_a_group_still_fail_only_themselves() {
        String standard = "arn:aws:sqs:eu-west-1:123456789012:saga-replies";
        SQSBatchResponse response = batch().handle(event(fromQueue(standard, message("m1", null, "fail")),
                fromQueue(standard, message("m2", null, "second"))));

        assertThat(failed(response)).containsExactly("m1");
        assertThat(handled).containsExactly("second");
    }

    @Test
    void on_a_standard_queue_a_failure_fails_only_that_message() {
        SQSBatchResponse response = batch().handle(event(
                message("m1", null, "first"), message("m2", null, "fail"), message("m3", null, "third")));

        assertThat(failed(response)).containsExactly("m2");
        assertThat(handled).containsExactly("first", "third");
    }

    @Test
    void a_body_that_cannot_be_decoded_fails_its_message_like_a_handling_failure() {
        SqsBatchHandler<Integer> numbers = new SqsBatchHandler<>("number", Integer::valueOf,
                (n, log) -> handled.add(String.valueOf(n)), Telemetry.fromEnvironment(name -> null));

        SQSBatchResponse response = numbers.handle(event(message("g1", "G", "1"), message("g2", "G", "two"),
                message("g3", "G", "3"), message("h1", "H", "4")));

        assertThat(failed(response)).containsExactly("g2", "g3");
        assertThat(handled).containsExactly("1", "4");
    }

    @Test
    void a_failure_is_logged_with_the_message_id_its_message_and_stack_trace_and_without_the_body() {
        List<JsonNode> logs;
        List<String> lines;
        try (LogCapture out = LogCapture.start()) {
            batch().handle(event(message("sqs-7", null, "fail {\"secret\":\"" + SECRET + "\"}")));
            logs = out.logs();
            lines = out.lines();
        }

        JsonNode error = logs.stream().filter(l -> l.path("level").asText().equals("ERROR")).findFirst()
                .orElseThrow();
        assertThat(error.path("message_id").asText()).isEqualTo("sqs-7");
        assertThat(error.path("message").asText()).contains("sqs-7").contains("refused by the handler");
        assertThat(error.path("error").path("message").asText()).contains("refused by the handler");
        assertThat(error.path("error").path("stack").asText()).startsWith(IllegalStateException.class.getName())
                .contains("SqsBatchHandlerTest");
        assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(SECRET));
    }

    record Reading(int secret) {
    }

    @Test
    void a_decoder_failure_that_quotes_the_body_keeps_its_stack_trace_and_loses_its_message() {
        ObjectMapper json = new ObjectMapper();
        SqsBatchHandler<Reading> readings = new SqsBatchHandler<>("reading", body -> {
            try {
                return json.readValue(body, Reading.class); // InvalidFormatException quotes the value: the secret
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, (reading, log) -> { }, Telemetry.fromEnvironment(name -> null));
        List<JsonNode> logs;
        List<String> lines;
        try (LogCapture out = LogCapture.start()) {
            assertThat(failed(readings.handle(event(message("sqs-8", null, "{\"secret\":\"" + SECRET + "\"}")))))
                    .containsExactly("sqs-8");
            logs = out.logs();
            lines = out.lines();
        }

        JsonNode error = logs.stream().filter(l -> l.path("level").asText().equals("ERROR")).findFirst()
                .orElseThrow();
        assertThat(error.path("message_id").asText()).isEqualTo("sqs-8");
        assertThat(error.path("error").path("stack").asText()).contains("InvalidFormatException");
        assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(SECRET));
    }
}
