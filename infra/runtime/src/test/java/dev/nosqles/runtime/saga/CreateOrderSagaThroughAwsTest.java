package dev.nosqles.runtime.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.OrderCommand.CancelOrder;
import dev.nosqles.app.order.OrderCommand.CreateOrder;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.CreateOrderSagaData;
import dev.nosqles.app.saga.CustomerCommandHandler;
import dev.nosqles.app.saga.OrderCommandHandler;
import dev.nosqles.app.saga.OrderSagaStreamHandler;
import dev.nosqles.app.saga.SagaReplyHandler;
import dev.nosqles.lambda.saga.SqsSagaMessageSender;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.esm.DynamoDbStreamPoller;
import dev.nosqles.runtime.esm.EsmClients;
import dev.nosqles.runtime.esm.QueueMapping;
import dev.nosqles.runtime.esm.SqsPoller;
import dev.nosqles.runtime.esm.StreamMapping;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaEvent;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaOrchestrator;
import dev.nosqles.saga.SagaState;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.saga.SagaCommand;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.dynamodb.DynamoDbEventStore;
import dev.nosqles.subscription.DynamoDbCheckpointStore;
import dev.nosqles.testsupport.TestTables;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The reference saga on the real path, all on moto: events table -> stream -> {@link OrderSagaStreamHandler}
 * -> FIFO command queues -> {@link CustomerCommandHandler} / {@link OrderCommandHandler} -> events table ->
 * stream -> reply queue -> {@link SagaReplyHandler} -> orchestrator. The pollers are wired by hand like the local
 * runtime would; each test drives them until nothing moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreateOrderSagaThroughAwsTest {
    private static final BigDecimal LIMIT = new BigDecimal("100.00");

    private final EsmClients clients = EsmClients.on(LocalAws.shared());
    private final Clock clock = Clock.systemUTC();
    private String eventsTable;
    private String esmCheckpoints;
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private DynamoDbCheckpointStore lostCheckpoints;
    private Application app;
    private String customerQueue;
    private String orderQueue;
    private String replyQueue;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @BeforeAll
    void tablesAndQueues() {
        eventsTable = TestTables.newEventsTable(clients.dynamoDb(), "saga");
        store = DynamoDbEventStore.builder().client(clients.dynamoDb()).tableName(eventsTable).build();
        String checkpointsTable = unique("saga-checkpoints");
        DynamoDbCheckpointStore.createTable(clients.dynamoDb(), checkpointsTable);
        checkpoints = new DynamoDbCheckpointStore(clients.dynamoDb(), checkpointsTable);
        String lostTable = unique("saga-checkpoints-lost");
        DynamoDbCheckpointStore.createTable(clients.dynamoDb(), lostTable);
        lostCheckpoints = new DynamoDbCheckpointStore(clients.dynamoDb(), lostTable);
        esmCheckpoints = unique("saga-esm");
        app = new Application(store, SnapshotStore.none(), clock, UUID::randomUUID);
        customerQueue = fifoQueue("customer-commands");
        orderQueue = fifoQueue("order-commands");
        replyQueue = standardQueue("saga-replies");
    }

    private String standardQueue(String name) {
        return clients.sqs().createQueue(b -> b.queueName(unique(name))
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "5"))).queueUrl();
    }

    private SqsSagaMessageSender sender(String replyQueue) {
        return new SqsSagaMessageSender(clients.sqs(), Map.of(
                CreateOrderSaga.CUSTOMER_COMMANDS.name(), customerQueue,
                CreateOrderSaga.ORDER_COMMANDS.name(), orderQueue,
                CreateOrderSaga.REPLIES, replyQueue));
    }

    private String fifoQueue(String name) {
        return clients.sqs().createQueue(b -> b.queueName(unique(name) + ".fifo").attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true", QueueAttributeName.VISIBILITY_TIMEOUT, "5"))).queueUrl();
    }

    /** The four functions and their event-source mappings, optionally delivering everything more than once. */
    private final class Functions {
        final DynamoDbStreamPoller stream;
        final SqsPoller customers;
        final SqsPoller orders;
        final SqsPoller replies;

        Functions(Duration reservationDeadline, boolean duplicates) {
            this(reservationDeadline, duplicates, replyQueue);
        }

        Functions(Duration reservationDeadline, boolean duplicates, String replyQueue) {
            SagaDefinition<CreateOrderSagaData> definition = CreateOrderSaga.definition(reservationDeadline);
            SqsSagaMessageSender sender = sender(replyQueue);
            SagaMessageSender out = duplicates ? new SendingTwice(sender) : sender;
            RequestHandler<DynamodbEvent, StreamsEventResponse> streamFunction =
                    new OrderSagaStreamHandler(store, SnapshotStore.none(), checkpoints, out, definition, clock);
            if (duplicates) {
                // every batch is handled twice, then again by a twin whose checkpoints were lost
                RequestHandler<DynamodbEvent, StreamsEventResponse> real = streamFunction;
                RequestHandler<DynamodbEvent, StreamsEventResponse> amnesiac = new OrderSagaStreamHandler(store,
                        SnapshotStore.none(), lostCheckpoints, out, definition, clock);
                streamFunction = (event, context) -> {
                    real.handleRequest(event, context);
                    StreamsEventResponse response = real.handleRequest(event, context);
                    amnesiac.handleRequest(event, context);
                    return response;
                };
            }
            stream = new DynamoDbStreamPoller(StreamMapping.defaults("order-saga-stream", "OrderSagaStream",
                    eventsTable).withBatchSize(10).withReportBatchItemFailures(true).withBisectOnError(true)
                    .withMaxRetryAttempts(3), streamFunction, clients, esmCheckpoints);
            customers = queue("customer-commands", customerQueue,
                    new CustomerCommandHandler(store, SnapshotStore.none(), out, clock), duplicates);
            orders = queue("order-commands", orderQueue,
                    new OrderCommandHandler(store, SnapshotStore.none(), out, clock), duplicates);
            replies = queue("saga-replies", replyQueue,
                    new SagaReplyHandler(store, SnapshotStore.none(), out, definition, clock), duplicates);
        }

        private SqsPoller queue(String id, String url, RequestHandler<SQSEvent, ?> handler, boolean duplicates) {
            RequestHandler<SQSEvent, ?> function = duplicates ? twice(handler) : handler;
            return new SqsPoller(QueueMapping.defaults(id, id, url).withReportBatchItemFailures(true), function,
                    clients);
        }

        /** Drives the mappings until nothing moves. */
        void settle(boolean customerQueueFlows) {
            boolean moved;
            do {
                moved = stream.drainUntilIdle() > 0;
                if (customerQueueFlows) {
                    moved |= customers.drainUntilIdle() > 0;
                }
                moved |= orders.drainUntilIdle() > 0;
                moved |= replies.drainUntilIdle() > 0;
            } while (moved);
        }
    }

    /** Each record of a batch twice in a row, and the whole batch handed over twice. */
    private static <R> RequestHandler<SQSEvent, R> twice(RequestHandler<SQSEvent, R> handler) {
        return (SQSEvent event, Context context) -> {
            List<SQSEvent.SQSMessage> doubled = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                doubled.add(m);
                doubled.add(m);
            }
            SQSEvent again = new SQSEvent();
            again.setRecords(doubled);
            handler.handleRequest(again, context);
            return handler.handleRequest(event, context);
        };
    }

    /** Sends everything twice: replies and deadlines arrive twice (standard queue); FIFO drops the twin command. */
    private record SendingTwice(SagaMessageSender delegate) implements SagaMessageSender {
        @Override
        public void send(SagaMessage.CommandMessage command) {
            delegate.send(command);
            delegate.send(command);
        }

        @Override
        public void send(SagaMessage.ReplyMessage reply) {
            delegate.send(reply);
            delegate.send(reply);
        }

        @Override
        public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
            delegate.schedule(deadline, delay);
            delegate.schedule(deadline, delay);
        }
    }

    private String customer() {
        String id = unique("cust");
        app.customers().create(id, new CreateCustomer("Ann", LIMIT));
        return id;
    }

    private String order(String customerId, String total) {
        String id = unique("order");
        app.orders().create(id, new CreateOrder(customerId, new BigDecimal(total)));
        return id;
    }

    private OrderStatus status(String orderId) {
        return app.orders().get(orderId).state().status();
    }

    private CustomerState customerState(String id) {
        return app.customers().get(id).state();
    }

    private List<String> customerEvents(String id) {
        return app.customers().history(id).stream().map(EventEnvelope::event)
                .map(e -> e.getClass().getSimpleName()).toList();
    }

    private final AggregateRepository<SagaState<CreateOrderSagaData>, SagaCommand, SagaEvent> sagas() {
        return AggregateRepository.builder(new SagaOrchestrator<>(CreateOrderSaga.definition())).eventStore(store)
                .build();
    }

    /** The sagas of an order, found by scanning the (small) events table for saga streams. */
    private List<SagaState<CreateOrderSagaData>> sagasOf(String orderId) {
        List<SagaState<CreateOrderSagaData>> found = new ArrayList<>();
        var repository = sagas();
        clients.dynamoDb().scanPaginator(b -> b.tableName(eventsTable).consistentRead(true)
                        .filterExpression("begins_with(streamId, :t) AND version = :one")
                        .expressionAttributeValues(Map.of(":t", AttributeValue.fromS(CreateOrderSaga.TYPE + "-"),
                                ":one", AttributeValue.fromN("1"))))
                .items().forEach(item -> {
                    String sagaId = item.get("streamId").s().substring(CreateOrderSaga.TYPE.length() + 1);
                    SagaState<CreateOrderSagaData> state = repository.get(sagaId).state();
                    if (state.data().orderId().equals(orderId)) {
                        found.add(state);
                    }
                });
        return found;
    }

    private void approvedAndRejected(Functions functions) {
        String rich = customer();
        String withinLimit = order(rich, "60.00");
        String poor = customer();
        String beyondLimit = order(poor, "100.01");

        functions.settle(true);

        assertThat(status(withinLimit)).isEqualTo(OrderStatus.APPROVED);
        assertThat(customerState(rich).availableCredit()).isEqualByComparingTo("40.00");
        assertThat(customerEvents(rich)).containsExactly("CustomerCreated", "CreditReserved");
        assertThat(sagasOf(withinLimit)).singleElement()
                .satisfies(s -> assertThat(s.status()).isEqualTo(SagaStatus.COMPLETED));

        assertThat(status(beyondLimit)).isEqualTo(OrderStatus.REJECTED);
        assertThat(app.orders().get(beyondLimit).state().rejectionReason()).isEqualTo(CreateOrderSaga.REJECTION_REASON);
        assertThat(customerState(poor).availableCredit()).isEqualByComparingTo(LIMIT);
        assertThat(customerEvents(poor)).containsExactly("CustomerCreated");
        assertThat(sagasOf(beyondLimit)).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(s.reason()).isEqualTo("reserve-credit:credit-limit-exceeded");
        });
    }

    @Test
    void an_order_within_the_credit_limit_is_approved_and_one_beyond_it_is_rejected() {
        approvedAndRejected(new Functions(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, false));
    }

    @Test
    void every_record_and_message_delivered_more_than_once_changes_nothing_reserves_once_and_starts_one_saga() {
        approvedAndRejected(new Functions(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, true));
    }

    @Test
    void a_customer_that_never_answers_lets_the_deadline_reject_the_order_and_its_late_reservation_is_released()
            throws InterruptedException {
        String deadlineReplies = standardQueue("saga-replies-deadline"); // holds only this saga's deadline
        Functions functions = new Functions(Duration.ofSeconds(2), false, deadlineReplies);
        String customer = customer();
        String orderId = order(customer, "30.00");

        functions.settle(false);
        assertThat(status(orderId)).isEqualTo(OrderStatus.APPROVAL_PENDING);
        // the deadline waits in the reply queue as a delayed message (moto emulates DelaySeconds)
        assertThat(clients.sqs().getQueueAttributes(b -> b.queueUrl(deadlineReplies)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo("1");
        Instant giveUp = Instant.now().plusSeconds(60);
        while (status(orderId) == OrderStatus.APPROVAL_PENDING && Instant.now().isBefore(giveUp)) {
            Thread.sleep(250); // waiting for the delayed deadline message, the only sleep in this class
            functions.settle(false);
        }

        assertThat(status(orderId)).isEqualTo(OrderStatus.REJECTED);
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(s.reason()).isEqualTo("reserve-credit:deadline-expired");
        });
        assertThat(customerEvents(customer)).containsExactly("CustomerCreated");

        functions.settle(true); // the customer wakes up: ReserveCredit, then ReleaseCredit, in FIFO order

        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReserved", "CreditReleased");
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo(LIMIT);
        assertThat(customerState(customer).reservations()).isEmpty();
        assertThat(sagasOf(orderId)).singleElement()
                .satisfies(s -> assertThat(s.status()).isEqualTo(SagaStatus.COMPENSATED));
        assertThat(status(orderId)).isEqualTo(OrderStatus.REJECTED);
    }

    @Test
    void cancelling_an_approved_order_gives_the_customer_its_credit_back() {
        Functions functions = new Functions(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, false);
        String customer = customer();
        String orderId = order(customer, "70.00");
        functions.settle(true);
        assertThat(status(orderId)).isEqualTo(OrderStatus.APPROVED);
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo("30.00");

        app.orders().update(orderId, new CancelOrder());
        functions.settle(true);

        assertThat(status(orderId)).isEqualTo(OrderStatus.CANCELLED);
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo(LIMIT);
        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReserved", "CreditReleased");
    }
}
