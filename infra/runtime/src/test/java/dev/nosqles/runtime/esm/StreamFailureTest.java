package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** Retries, ReportBatchItemFailures, bisect-on-error and the on-failure destination. */
class StreamFailureTest {
    private static final EsmFixture fx = new EsmFixture();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String table;
    private static String checkpoints;

    @BeforeAll
    static void tables() {
        table = fx.newEventsTable("esm-failure");
        checkpoints = EsmFixture.unique("esm-checkpoints");
    }

    private static StreamMapping mapping(String failureQueue) {
        return StreamMapping.defaults(EsmFixture.unique("failure"), "projector", table)
                .withStartingPosition(StartingPosition.LATEST)
                .withOnFailureQueueUrl(failureQueue);
    }

    @Test
    void a_reported_item_failure_retries_from_that_record_and_gives_up_to_the_failure_queue_while_later_records_flow()
            throws Exception {
        String failureQueue = fx.newQueue("esm-onfailure", Map.of());
        List<List<Integer>> invocations = new ArrayList<>();
        Map<Integer, String> sequenceOf = new HashMap<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(
                mapping(failureQueue).withBatchSize(4).withReportBatchItemFailures(true).withMaxRetryAttempts(2),
                (RequestHandler<DynamodbEvent, StreamsEventResponse>) (event, context) -> {
                    invocations.add(EsmFixture.ns(event));
                    event.getRecords().forEach(r -> sequenceOf.put(EsmFixture.n(r), r.getDynamodb().getSequenceNumber()));
                    for (DynamodbEvent.DynamodbStreamRecord r : event.getRecords()) {
                        if (EsmFixture.n(r) == 5) {
                            return new StreamsEventResponse(List.of(
                                    new StreamsEventResponse.BatchItemFailure(r.getDynamodb().getSequenceNumber())));
                        }
                    }
                    return new StreamsEventResponse(List.of());
                }, fx.clients, checkpoints);
        fx.putEvents(table, "poison-item", 0, 11);

        poller.drainUntilIdle();

        assertThat(invocations).containsExactly(
                List.of(0, 1, 2, 3),
                List.of(4, 5, 6, 7),  // 4 succeeds and is settled; 5 reported
                List.of(5, 6, 7),     // retry 1: from the failed record on, 4 not handed over again
                List.of(5, 6, 7),     // retry 2, the last (maxRetryAttempts 2): the record set is given up
                List.of(8, 9, 10, 11));
        List<Message> failures = fx.takeAll(failureQueue);
        assertThat(failures).hasSize(1);
        JsonNode record = JSON.readTree(failures.getFirst().body());
        assertThat(record.at("/requestContext/condition").asText()).isEqualTo("RetryAttemptsExhausted");
        assertThat(record.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(3);
        assertThat(record.at("/requestContext/functionArn").asText()).endsWith(":function:projector");
        JsonNode info = record.get("DDBStreamBatchInfo");
        assertThat(info.get("startSequenceNumber").asText()).isEqualTo(sequenceOf.get(5));
        assertThat(info.get("endSequenceNumber").asText()).isEqualTo(sequenceOf.get(7));
        assertThat(info.get("batchSize").asInt()).isEqualTo(3);
        assertThat(info.get("streamArn").asText()).isEqualTo(poller.streamArn());
        assertThat(info.get("shardId").asText()).isNotBlank();
        assertThat(failures.getFirst().body()).as("metadata only, never the records").doesNotContain("poison-item");
    }

    @Test
    void a_throwing_handler_with_bisect_on_error_isolates_the_poison_record_and_handles_all_others() throws Exception {
        String failureQueue = fx.newQueue("esm-onfailure", Map.of());
        List<List<Integer>> invocations = new ArrayList<>();
        List<Integer> handled = new ArrayList<>();
        Map<Integer, String> sequenceOf = new HashMap<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(
                mapping(failureQueue).withBatchSize(10).withBisectOnError(true).withMaxRetryAttempts(1),
                (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
                    List<Integer> ns = EsmFixture.ns(event);
                    invocations.add(ns);
                    event.getRecords().forEach(r -> sequenceOf.put(EsmFixture.n(r), r.getDynamodb().getSequenceNumber()));
                    if (ns.contains(6)) {
                        throw new IllegalArgumentException("cannot project record 6");
                    }
                    handled.addAll(ns);
                    return null;
                }, fx.clients, checkpoints);
        fx.putEvents(table, "poison-bisect", 0, 9);

        poller.drainUntilIdle();

        assertThat(invocations).containsExactly(
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                List.of(0, 1, 2, 3, 4),
                List.of(5, 6, 7, 8, 9),
                List.of(5, 6),
                List.of(5),
                List.of(6),
                List.of(6),          // the one retry (maxRetryAttempts 1) of the isolated record
                List.of(7, 8, 9));
        assertThat(handled).containsExactly(0, 1, 2, 3, 4, 5, 7, 8, 9);
        List<Message> failures = fx.takeAll(failureQueue);
        assertThat(failures).hasSize(1);
        JsonNode info = JSON.readTree(failures.getFirst().body()).get("DDBStreamBatchInfo");
        assertThat(info.get("startSequenceNumber").asText()).isEqualTo(sequenceOf.get(6));
        assertThat(info.get("endSequenceNumber").asText()).isEqualTo(sequenceOf.get(6));
        assertThat(info.get("batchSize").asInt()).isEqualTo(1);
        assertThat(Collections.frequency(handled, 6)).isZero();
    }

    @Test
    void without_bisect_a_throwing_handler_retries_the_whole_batch_until_the_attempts_are_exhausted() {
        String failureQueue = fx.newQueue("esm-onfailure", Map.of());
        List<List<Integer>> invocations = new ArrayList<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(
                mapping(failureQueue).withBatchSize(3).withMaxRetryAttempts(0),
                (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
                    invocations.add(EsmFixture.ns(event));
                    if (EsmFixture.ns(event).contains(1)) {
                        throw new IllegalStateException("boom");
                    }
                    return null;
                }, fx.clients, checkpoints);
        fx.putEvents(table, "poison-whole", 0, 4);

        poller.drainUntilIdle();

        assertThat(invocations).containsExactly(List.of(0, 1, 2), List.of(3, 4));
        assertThat(fx.takeAll(failureQueue)).hasSize(1);
    }

    @Test
    void when_the_failure_queue_cannot_be_reached_nothing_after_the_given_up_record_is_settled() {
        String gone = fx.newQueue("esm-gone", Map.of());
        fx.clients.sqs().deleteQueue(b -> b.queueUrl(gone));
        StreamMapping mapping = mapping(gone).withBatchSize(4).withBisectOnError(true).withMaxRetryAttempts(0);
        List<Integer> handledBefore = new ArrayList<>();
        DynamoDbStreamPoller before = new DynamoDbStreamPoller(mapping,
                (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
                    if (EsmFixture.ns(event).contains(1)) {
                        throw new IllegalStateException("poison");
                    }
                    handledBefore.addAll(EsmFixture.ns(event));
                    return null;
                }, fx.clients, checkpoints);
        fx.putEvents(table, "unreachable-destination", 0, 3);

        assertThatThrownBy(before::drainUntilIdle).isInstanceOf(EventSourceMappingException.class)
                .hasMessageContaining("on-failure destination");
        assertThatThrownBy(before::drainUntilIdle).as("the given-up record is read again, not skipped")
                .isInstanceOf(EventSourceMappingException.class);

        List<Integer> handledAfter = new ArrayList<>();
        new DynamoDbStreamPoller(mapping, (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
            handledAfter.addAll(EsmFixture.ns(event));
            return null;
        }, fx.clients, checkpoints).drainUntilIdle();
        assertThat(handledBefore).containsExactly(0);
        assertThat(handledAfter).containsExactly(1, 2, 3);
    }
}
