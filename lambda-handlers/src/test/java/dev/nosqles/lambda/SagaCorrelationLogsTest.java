package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.lambda.saga.SagaCommandQueueHandler;
import dev.nosqles.lambda.saga.SagaReplyQueueHandler;
import dev.nosqles.memory.InMemorySubjectKeys;
import dev.nosqles.saga.RecordingSender;
import dev.nosqles.saga.ReplyOutcome;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The saga functions' log lines carry the saga message's correlation id (the order request's) and its saga id. */
class SagaCorrelationLogsTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final InMemorySubjectKeys keys = new InMemorySubjectKeys();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    private static Telemetry telemetry() {
        return Telemetry.fromEnvironment(Map.of(Telemetry.SERVICE, "shop-stack")::get);
    }

    private static SQSEvent batch(String id, String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(id);
        message.setBody(body);
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }

    private static SagaMessage.CommandMessage reserve(String correlationId) {
        return new SagaMessage.CommandMessage("m1", CreateOrderSaga.TYPE, "s1", CreateOrderSaga.REPLIES,
                CreateOrderSaga.CUSTOMER_COMMANDS.name(), "c1", "ReserveCredit",
                "{\"orderId\":\"o1\",\"amount\":\"10.00\"}", 0, null, correlationId);
    }

    private List<JsonNode> handleCommand(String body) {
        var customers = Application.customers(store, SnapshotStore.none(), Clock.systemUTC(), keys).build();
        customers.create("c1", new CreateCustomer("Ann", new BigDecimal("100")));
        var handler = new SagaCommandQueueHandler(SagaParticipant.builder(customers,
                CreateOrderSaga.CUSTOMER_COMMANDS, new RecordingSender()).eventStore(store).build(), telemetry());
        try (LogCapture out = LogCapture.start()) {
            assertThat(handler.handleRequest(batch("sqs-1", body), new TestContext("CustomerCommands", "req-1"))
                    .getBatchItemFailures()).isEmpty();
            return out.logs();
        }
    }

    private List<RecordedEvent> customerEvents() {
        return store.read(StreamId.of("Customer", "c1"), ReadRequest.from(2)).events();
    }

    @Test
    void a_participants_lines_and_events_carry_the_commands_correlation_id_and_the_saga_id_apart() {
        List<JsonNode> logs = handleCommand(reserve("order-request-7").toJson());

        assertThat(logs).filteredOn(l -> l.has("saga_id")).isNotEmpty().allSatisfy(l -> {
            assertThat(l.path("correlation_id").asText()).isEqualTo("order-request-7");
            assertThat(l.path("saga_id").asText()).isEqualTo("s1");
            assertThat(l.path("function_name").asText()).isEqualTo("CustomerCommands");
        });
        assertThat(customerEvents()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.metadata().correlationId()).isEqualTo("order-request-7"));
    }

    @Test
    void a_command_queued_before_messages_carried_a_correlation_id_is_handled_correlated_by_its_saga_id() {
        String old = reserve("order-request-7").toJson().replace(",\"correlationId\":\"order-request-7\"", "");
        assertThat(old).doesNotContain("correlationId");

        List<JsonNode> logs = handleCommand(old);

        assertThat(logs).filteredOn(l -> l.has("saga_id")).isNotEmpty()
                .allSatisfy(l -> assertThat(l.path("correlation_id").asText()).isEqualTo("s1"));
        assertThat(customerEvents()).extracting(RecordedEvent::type).contains(SagaParticipant.REPLY_REQUESTED);
    }

    @Test
    void a_failed_replys_error_line_carries_its_correlation_id_and_saga_id() {
        SagaManager<?> manager = SagaManager.builder(CreateOrderSaga.definition()).eventStore(store)
                .snapshotStore(SnapshotStore.none()).sender(new RecordingSender()).clock(Clock.systemUTC()).build();
        var handler = new SagaReplyQueueHandler(List.of(manager), telemetry());
        String reply = (new SagaMessage.ReplyMessage("r1", CreateOrderSaga.TYPE, "no-such-saga",
                CreateOrderSaga.REPLIES, "m1", ReplyOutcome.SUCCESS, null, "{}", null, "order-request-8")).toJson();

        List<JsonNode> logs;
        try (LogCapture out = LogCapture.start()) {
            assertThat(handler.handleRequest(batch("sqs-2", reply), new TestContext("SagaReplies", "req-2"))
                    .getBatchItemFailures()).hasSize(1);
            logs = out.logs();
        }

        assertThat(logs).filteredOn(l -> l.path("level").asText().equals("ERROR")).singleElement()
                .satisfies(l -> {
                    assertThat(l.path("correlation_id").asText()).isEqualTo("order-request-8");
                    assertThat(l.path("saga_id").asText()).isEqualTo("no-such-saga");
                });
    }
}
