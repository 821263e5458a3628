package dev.nosqles.lambda.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.CustomerCommandHandler;
import dev.nosqles.app.saga.SagaReplyHandler;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.saga.ReplyOutcome;
import dev.nosqles.saga.RecordingSender;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class SagaQueueHandlersTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final RecordingSender recording = new RecordingSender();
    private final SagaMessageSender sender = recording;
    private final List<SagaMessage> sent = recording.all;

    private static SQSEvent.SQSMessage sqs(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        return m;
    }

    /** A record of a FIFO queue: SQS sets its message group as a system attribute. */
    private static SQSEvent.SQSMessage fifo(String id, String group, String body) {
        SQSEvent.SQSMessage m = sqs(id, body);
        m.setAttributes(java.util.Map.of("MessageGroupId", group));
        return m;
    }

    private static SQSEvent event(SQSEvent.SQSMessage... messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(messages));
        return e;
    }

    private static String reserve(String messageId, String customerId) {
        return (new SagaMessage.CommandMessage(messageId, CreateOrderSaga.TYPE, "s1",
                CreateOrderSaga.REPLIES, CreateOrderSaga.CUSTOMER_COMMANDS.name(), customerId, "ReserveCredit",
                "{\"orderId\":\"o1\",\"amount\":\"10.00\"}")).toJson();
    }

    private static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }

    @Test
    void a_command_queue_batch_fails_the_rest_of_an_unreadable_messages_group_so_that_fifo_order_holds() {
        var keys = new dev.nosqles.memory.InMemorySubjectKeys();
        AggregateRepository.builder(new Customer()).eventStore(store).subjectKeys(keys).build()
                .create("c1", new CreateCustomer("Ann", new BigDecimal("100")));
        CustomerCommandHandler handler = new CustomerCommandHandler(store, SnapshotStore.none(), sender,
                Clock.systemUTC(), keys);

        SQSBatchResponse response = handler.handleRequest(event(fifo("q1", "c1", reserve("m1", "c1")),
                fifo("q2", "c1", "{\"kind\":\"nonsense\"}"), fifo("q3", "c1", reserve("m3", "c1")),
                fifo("q4", "c2", reserve("m4", "c2"))), null);

        // c2's command ran (no customer c2: answered with a failure, not retried); c1's later command waits
        assertThat(failed(response)).containsExactly("q2", "q3");
        assertThat(sent).singleElement().isInstanceOfSatisfying(SagaMessage.ReplyMessage.class,
                r -> assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE));
    }

    @Test
    void a_command_for_a_customer_that_does_not_exist_is_answered_with_a_failure_and_not_retried() {
        CustomerCommandHandler handler = new CustomerCommandHandler(store, SnapshotStore.none(), sender,
                Clock.systemUTC(), new dev.nosqles.memory.InMemorySubjectKeys());

        SQSBatchResponse response = handler.handleRequest(event(sqs("q1", reserve("m1", "nobody"))), null);

        assertThat(failed(response)).isEmpty();
        assertThat(sent).singleElement().isInstanceOfSatisfying(SagaMessage.ReplyMessage.class,
                r -> assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE));
    }

    @Test
    void the_reply_queue_reports_only_the_messages_that_failed() {
        SagaReplyHandler handler = new SagaReplyHandler(store, SnapshotStore.none(), sender,
                dev.nosqles.saga.SagaDeadlines.none(), CreateOrderSaga.definition(), Clock.systemUTC());
        String unknownSaga = new SagaMessage.ReplyMessage("r1", CreateOrderSaga.TYPE, "missing",
                CreateOrderSaga.REPLIES, "m1", ReplyOutcome.SUCCESS, null, "{}").toJson();
        String otherType = new SagaMessage.ReplyMessage("r2", "OtherSaga", "s",
                CreateOrderSaga.REPLIES, "m1", ReplyOutcome.SUCCESS, null, "{}").toJson();

        SQSBatchResponse response = handler.handleRequest(event(sqs("q1", unknownSaga), sqs("q2", otherType)), null);

        assertThat(failed(response)).containsExactly("q1", "q2");
    }
}
