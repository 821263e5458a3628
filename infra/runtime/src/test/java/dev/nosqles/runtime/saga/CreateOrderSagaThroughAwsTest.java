package dev.nosqles.runtime.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
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
import dev.nosqles.app.saga.SagaSweepHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.saga.SagaDeadlines;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.sqs.SqsClient;
import dev.nosqles.lambda.saga.SqsSagaMessageSender;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.esm.DynamoDbStreamPoller;
import dev.nosqles.runtime.esm.EsmClients;
import dev.nosqles.runtime.esm.QueueMapping;
import dev.nosqles.runtime.esm.SqsPoller;
import dev.nosqles.runtime.esm.StreamMapping;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaInstance;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
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
import software.amazon.awssdk.services.sqs.model.Message;
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
        checkpoints = DynamoDbCheckpointStore.builder().client(clients.dynamoDb()).tableName(checkpointsTable).build();
        String lostTable = unique("saga-checkpoints-lost");
        DynamoDbCheckpointStore.createTable(clients.dynamoDb(), lostTable);
        lostCheckpoints = DynamoDbCheckpointStore.builder().client(clients.dynamoDb()).tableName(lostTable).build();
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

    private SqsSagaMessageSender sender(String replyQueue, SqsClient sqs) {
        return SqsSagaMessageSender.builder().client(sqs)
                .queueUrl(CreateOrderSaga.CUSTOMER_COMMANDS.name(), customerQueue)
                .queueUrl(CreateOrderSaga.ORDER_COMMANDS.name(), orderQueue)
                .queueUrl(CreateOrderSaga.REPLIES, replyQueue).build();
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
        final SagaDefinition<CreateOrderSagaData> definition;
        final List<SagaMessage> repliesReceived = new ArrayList<>();
        final List<SagaMessage> customerCommandsReceived = new ArrayList<>();

        Functions(Duration reservationDeadline, boolean duplicates) {
            this(reservationDeadline, duplicates, replyQueue);
        }

        Functions(Duration reservationDeadline, boolean duplicates, String replyQueue) {
            this(reservationDeadline, duplicates, replyQueue, SagaDeadlines.none(), s -> s, clients.sqs(), true);
        }

        /**
         * @param deadlines the saga deadline index the orchestrators keep and the sweeper reads
         * @param streamSender what the stream function sends through (a fault on the stream function's sends)
         * @param sqs the client every function sends with (faults on every send)
         * @param repliesInProcess as deployed (ADR 0013, 0015); false: the participants' replies take the reply queue
         *        and the Order's commands their queue, the paths of a message that fell back or was redriven
         */
        Functions(Duration reservationDeadline, boolean duplicates, String replyQueue, SagaDeadlines deadlines,
                  UnaryOperator<SagaMessageSender> streamSender, SqsClient sqs, boolean repliesInProcess) {
            definition = CreateOrderSaga.definition(reservationDeadline);
            replyQueueUrl = replyQueue;
            SqsSagaMessageSender sender = sender(replyQueue, sqs);
            SagaMessageSender out = duplicates ? new SendingTwice(sender) : sender;
            RequestHandler<DynamodbEvent, StreamsEventResponse> streamFunction = new OrderSagaStreamHandler(store,
                    SnapshotStore.none(), checkpoints, streamSender.apply(out), deadlines, definition, clock,
                    app.subjectKeys(), null, null, repliesInProcess);
            if (duplicates) {
                // every batch is handled twice, then again by a twin whose checkpoints were lost
                RequestHandler<DynamodbEvent, StreamsEventResponse> real = streamFunction;
                RequestHandler<DynamodbEvent, StreamsEventResponse> amnesiac = new OrderSagaStreamHandler(store,
                        SnapshotStore.none(), lostCheckpoints, out, deadlines, definition, clock,
                    app.subjectKeys(), null, null, repliesInProcess);
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
            customers = queue("customer-commands", customerQueue, recording(customerCommandsReceived,
                    new CustomerCommandHandler(store, SnapshotStore.none(), out, clock,
                            app.subjectKeys())), duplicates);
            orders = queue("order-commands", orderQueue,
                    new OrderCommandHandler(store, SnapshotStore.none(), out, clock), duplicates);
            replies = queue("saga-replies", replyQueue, recording(repliesReceived,
                    new SagaReplyHandler(store, SnapshotStore.none(), out, deadlines, definition, clock)), duplicates);
            sweeperDeadlines = deadlines;
            sweeperSender = out;
        }

        private final SagaDeadlines sweeperDeadlines;
        private final SagaMessageSender sweeperSender;
        private String replyQueueUrl;

        String replyQueueUrl() {
            return replyQueueUrl;
        }

        private SqsPoller queue(String id, String url, RequestHandler<SQSEvent, ?> handler, boolean duplicates) {
            RequestHandler<SQSEvent, ?> function = duplicates ? twice(handler) : handler;
            return new SqsPoller(QueueMapping.defaults(id, id, url).withReportBatchItemFailures(true), function,
                    clients);
        }

        /** Drives the mappings until nothing moves. */
        void settle(boolean customerQueueFlows) {
            settle(customerQueueFlows, true);
        }

        /** Drives the mappings until nothing moves; a queue that does not flow keeps its messages. */
        void settle(boolean customerQueueFlows, boolean orderQueueFlows) {
            boolean moved;
            do {
                moved = stream.drainUntilIdle() > 0;
                if (customerQueueFlows) {
                    moved |= customers.drainUntilIdle() > 0;
                }
                if (orderQueueFlows) {
                    moved |= orders.drainUntilIdle() > 0;
                }
                moved |= replies.drainUntilIdle() > 0;
            } while (moved);
        }

        /** The scheduled sweeper, invoked as EventBridge would, on a clock {@code ahead} of now. */
        Map<String, Integer> sweep(Duration ahead) {
            return new SagaSweepHandler(store, SnapshotStore.none(), sweeperSender, sweeperDeadlines, definition,
                    Clock.offset(clock, ahead)).handleRequest(new ScheduledEvent(), null);
        }
    }

    /** The handler, keeping every saga message it is handed. */
    private static <R> RequestHandler<SQSEvent, R> recording(List<SagaMessage> received,
                                                            RequestHandler<SQSEvent, R> handler) {
        return (event, context) -> {
            event.getRecords().forEach(m -> received.add(SagaMessage.fromJson(m.getBody())));
            return handler.handleRequest(event, context);
        };
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

    /** The sagas as their manager reads them (it sends nothing here: only {@code find} is used). */
    private SagaManager<CreateOrderSagaData> sagas() {
        return SagaManager.builder(CreateOrderSaga.definition()).eventStore(store).sender(new SagaMessageSender() {
            @Override
            public void send(SagaMessage.CommandMessage command) {
                throw new AssertionError("a reader sends nothing");
            }

            @Override
            public void send(SagaMessage.ReplyMessage reply) {
                throw new AssertionError("a reader sends nothing");
            }

            @Override
            public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
                throw new AssertionError("a reader sends nothing");
            }
        }).build();
    }

    /** The stored events of a saga's stream, as the events table holds them. */
    private List<RecordedEvent> sagaEvents(SagaInstance<CreateOrderSagaData> saga) {
        return store.read(StreamId.of(CreateOrderSaga.TYPE, saga.sagaId()), ReadRequest.all()).events();
    }

    /** What a stored {@code SagaCommandEvent} asked to send (read from its stored JSON by its stable names). */
    private record SentCommand(String commandMessageId, String commandType, int attempt) {
    }

    /** The sagas of an order, found by scanning the (small) events table for saga streams. */
    private List<SagaInstance<CreateOrderSagaData>> sagasOf(String orderId) {
        List<SagaInstance<CreateOrderSagaData>> found = new ArrayList<>();
        var repository = sagas();
        clients.dynamoDb().scanPaginator(b -> b.tableName(eventsTable).consistentRead(true)
                        .filterExpression("begins_with(streamId, :t) AND version = :one")
                        .expressionAttributeValues(Map.of(":t", AttributeValue.fromS(CreateOrderSaga.TYPE + "-"),
                                ":one", AttributeValue.fromN("1"))))
                .items().forEach(item -> {
                    String sagaId = item.get("streamId").s().substring(CreateOrderSaga.TYPE.length() + 1);
                    SagaInstance<CreateOrderSagaData> state = repository.find(sagaId).orElseThrow();
                    if (state.data().orderId().equals(orderId)) {
                        found.add(state);
                    }
                });
        return found;
    }

    /** @return the order approved and the one rejected */
    private List<String> approvedAndRejected(Functions functions) {
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
        return List.of(withinLimit, beyondLimit);
    }

    @Test
    void an_order_within_the_credit_limit_is_approved_and_one_beyond_it_is_rejected() {
        approvedAndRejected(new Functions(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, false));
    }

    @Test
    void every_record_and_message_delivered_more_than_once_changes_nothing_reserves_once_and_starts_one_saga() {
        Functions functions = new Functions(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, true);
        List<String> orders = approvedAndRejected(functions);
        // the Order's commands are handled in process, and so are the recorded replies their duplicates get again
        // (ADR 0015): however often the stream batches were handled, none of them reached the reply queue
        java.util.Set<String> orderCommands = new java.util.HashSet<>();
        for (String orderId : orders) {
            commandsOf(sagasOf(orderId).get(0)).stream().filter(c -> c.commandType().endsWith("Order"))
                    .forEach(c -> orderCommands.add(c.commandMessageId()));
        }
        assertThat(orderCommands).hasSize(2);
        assertThat(functions.repliesReceived).noneMatch(m -> m instanceof SagaMessage.ReplyMessage reply
                && orderCommands.contains(reply.inReplyTo()));
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

        // the late success reply makes the finished saga send the release once more (it cannot know the first
        // one came after the reservation): it finds nothing held and only voids the order's reservation
        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReserved", "CreditReleased",
                "CreditReservationVoided");
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

    // ---------------------------------------------------------------------------------------------------------
    // Faults (issue 9, items 3 and 4, lost send answers): each test injects one and checks the invariant.
    // ---------------------------------------------------------------------------------------------------------

    private SagaDeadlines deadlines() {
        String table = unique("saga-deadlines");
        DynamoDbSagaDeadlines.createTable(clients.dynamoDb(), table);
        return DynamoDbSagaDeadlines.builder().client(clients.dynamoDb()).tableName(table).build();
    }

    private Functions withSweeper(Duration reservationDeadline, UnaryOperator<SagaMessageSender> streamSender) {
        return withSweeper(reservationDeadline, streamSender, true);
    }

    private Functions withSweeper(Duration reservationDeadline, UnaryOperator<SagaMessageSender> streamSender,
                                  boolean repliesInProcess) {
        return new Functions(reservationDeadline, false, standardQueue("saga-replies"), deadlines(), streamSender,
                clients.sqs(), repliesInProcess);
    }

    /** What is waiting on a queue now (received, so invisible for 30 s unless moved or deleted). */
    private List<Message> receive(String queueUrl) {
        return clients.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)
                .visibilityTimeout(30)).messages();
    }

    /** The message dies: SQS moves it to the dead-letter queue (which unblocks its FIFO group). */
    private void deadLetter(String queueUrl, String dlqUrl, Message message) {
        clients.sqs().sendMessage(b -> b.queueUrl(dlqUrl).messageBody(message.body()).messageGroupId("dead")
                .messageDeduplicationId(message.messageId()));
        clients.sqs().deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
    }

    /** An operator redrives the dead-letter queue: the same body, a new SQS message (new id, new timestamp). */
    private void redrive(String dlqUrl, String queueUrl) {
        for (Message dead : receive(dlqUrl)) {
            SagaMessage.CommandMessage command = (SagaMessage.CommandMessage) SagaMessage.fromJson(dead.body());
            clients.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(dead.body())
                    .messageGroupId(command.target()).messageDeduplicationId(UUID.randomUUID().toString()));
            clients.sqs().deleteMessage(b -> b.queueUrl(dlqUrl).receiptHandle(dead.receiptHandle()));
        }
    }

    private static String commandType(Message message) {
        return ((SagaMessage.CommandMessage) SagaMessage.fromJson(message.body())).commandType();
    }

    private List<String> principals(SagaInstance<CreateOrderSagaData> saga) {
        return sagaEvents(saga).stream().map(e -> e.metadata().principal()).distinct().toList();
    }

    private List<SentCommand> commandsOf(SagaInstance<CreateOrderSagaData> saga) {
        return sagaEvents(saga).stream().filter(e -> e.type().equals("SagaCommandEvent")).map(e -> {
            try {
                var data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(e.data());
                return new SentCommand(data.get("commandMessageId").asText(), data.get("commandType").asText(),
                        data.path("attempt").asInt(0));
            } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
                throw new AssertionError("a stored SagaCommandEvent is not JSON", unreadable);
            }
        }).toList();
    }

    @Test
    void a_reservation_redriven_from_the_dlq_after_its_release_overtook_it_is_refused_and_the_credit_is_kept() {
        Functions functions = withSweeper(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, s -> s);
        String customerDlq = fifoQueue("customer-commands-dlq");
        String customer = customer();
        String orderId = order(customer, "30.00");
        functions.settle(false);
        Message reserve = receive(customerQueue).get(0);
        assertThat(commandType(reserve)).isEqualTo("ReserveCredit");
        deadLetter(customerQueue, customerDlq, reserve); // five failed receives: off to the DLQ

        functions.sweep(Duration.ofMinutes(1)); // its deadline passes: ReleaseCredit, then RejectOrder
        functions.settle(true);
        assertThat(status(orderId)).isEqualTo(OrderStatus.REJECTED);
        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReservationVoided");

        redrive(customerDlq, customerQueue); // days later, an operator redrives the DLQ
        functions.settle(true);

        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReservationVoided");
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo(LIMIT);
        assertThat(customerState(customer).reservations()).isEmpty();
        assertThat(status(orderId)).isEqualTo(OrderStatus.REJECTED);
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(s.reason()).isEqualTo("reserve-credit:deadline-expired");
        });
    }

    @Test
    void a_late_success_reply_to_a_reservation_whose_release_died_releases_the_credit_with_a_fresh_command() {
        Functions functions = withSweeper(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, s -> s);
        String customerDlq = fifoQueue("customer-commands-dlq");
        String customer = customer();
        String orderId = order(customer, "30.00");
        functions.settle(false);
        functions.sweep(Duration.ofMinutes(1)); // the customer is slow: the deadline passes
        functions.settle(false);
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> assertThat(s.status())
                .isEqualTo(SagaStatus.COMPENSATED));

        List<Message> waiting = receive(customerQueue);
        assertThat(waiting).extracting(CreateOrderSagaThroughAwsTest::commandType)
                .containsExactly("ReserveCredit", "ReleaseCredit");
        SQSEvent reserveOnly = new SQSEvent();
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(waiting.get(0).messageId());
        record.setBody(waiting.get(0).body());
        reserveOnly.setRecords(List.of(record));
        new CustomerCommandHandler(store, SnapshotStore.none(), sender(functions.replyQueueUrl(), clients.sqs()),
                clock, app.subjectKeys()).handleRequest(reserveOnly, null); // the customer wakes up and reserves
        clients.sqs().deleteMessage(b -> b.queueUrl(customerQueue).receiptHandle(waiting.get(0).receiptHandle()));
        deadLetter(customerQueue, customerDlq, waiting.get(1)); // and the release dies
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo("70.00");

        functions.settle(true); // its success reply reaches the finished saga

        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo(LIMIT);
        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReserved", "CreditReleased");
        SagaInstance<CreateOrderSagaData> saga = sagasOf(orderId).get(0);
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(commandsOf(saga)).filteredOn(c -> c.commandType().equals("ReleaseCredit"))
                .extracting(SentCommand::commandMessageId).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void a_saga_whose_command_the_stream_function_gave_up_on_is_ended_by_the_sweeper_and_the_credit_kept() {
        java.util.concurrent.atomic.AtomicBoolean sqsDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        Functions functions = withSweeper(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE,
                sender -> new FailingWhile(sender, sqsDown));
        String customer = customer();
        String orderId = order(customer, "30.00");
        functions.settle(true); // every send fails: the stream function exhausts its retries on the command
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> assertThat(s.status())
                .isEqualTo(SagaStatus.RUNNING));
        assertThat(receive(customerQueue)).isEmpty();
        sqsDown.set(false);

        assertThat(functions.sweep(Duration.ofSeconds(20))).containsEntry("pastDue", 0);
        assertThat(functions.sweep(Duration.ofMinutes(1))).containsEntry("pastDue", 1).containsEntry("handled", 1);
        functions.settle(true);

        assertThat(status(orderId)).isEqualTo(OrderStatus.REJECTED);
        SagaInstance<CreateOrderSagaData> saga = sagasOf(orderId).get(0);
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(saga.reason()).isEqualTo("reserve-credit:deadline-expired");
        assertThat(principals(saga)).contains(SagaManager.SWEEPER_PRINCIPAL);
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo(LIMIT);
        assertThat(functions.sweep(Duration.ofHours(1))).containsEntry("pastDue", 0);
    }

    @Test
    void an_approval_that_dies_in_a_dlq_is_re_sent_by_the_sweeper_and_the_order_approved_with_its_credit_taken_once() {
        // the Order's commands through their queue, as one the stream function could not handle takes it (ADR 0015)
        Functions functions = withSweeper(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, s -> s, false);
        String orderDlq = fifoQueue("order-commands-dlq");
        String customer = customer();
        String orderId = order(customer, "60.00");
        functions.settle(true, false);
        Message approve = receive(orderQueue).get(0);
        assertThat(commandType(approve)).isEqualTo("ApproveOrder");
        deadLetter(orderQueue, orderDlq, approve);
        functions.settle(true, true);
        assertThat(status(orderId)).isEqualTo(OrderStatus.APPROVAL_PENDING);

        functions.sweep(SagaDefinition.DEFAULT_DEADLINE.plusSeconds(1));
        functions.settle(true, true);

        assertThat(status(orderId)).isEqualTo(OrderStatus.APPROVED);
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo("40.00");
        assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReserved");
        SagaInstance<CreateOrderSagaData> saga = sagasOf(orderId).get(0);
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(principals(saga)).contains(SagaManager.SWEEPER_PRINCIPAL);
        assertThat(commandsOf(saga)).filteredOn(c -> c.commandType().equals("ApproveOrder"))
                .extracting(SentCommand::attempt).containsExactly(0, 1);
    }

    @Test
    void a_rejection_that_dies_in_a_dlq_is_re_sent_and_the_saga_ends_compensated() {
        // the Order's commands through their queue, as one the stream function could not handle takes it (ADR 0015)
        Functions functions = withSweeper(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, s -> s, false);
        String orderDlq = fifoQueue("order-commands-dlq");
        String customer = customer();
        String orderId = order(customer, "100.01");
        functions.settle(true, false);
        Message reject = receive(orderQueue).get(0);
        assertThat(commandType(reject)).isEqualTo("RejectOrder");
        deadLetter(orderQueue, orderDlq, reject);
        functions.settle(true, true);
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> assertThat(s.status())
                .isEqualTo(SagaStatus.COMPENSATING));

        functions.sweep(SagaDefinition.DEFAULT_DEADLINE.plusSeconds(1));
        functions.settle(true, true);

        assertThat(status(orderId)).isEqualTo(OrderStatus.REJECTED);
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(s.reason()).isEqualTo("reserve-credit:credit-limit-exceeded");
        });
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo(LIMIT);
    }

    @Test
    void sends_whose_answer_was_lost_are_retried_by_the_sdk_and_the_duplicates_change_nothing() {
        SendLostInterceptor lost = new SendLostInterceptor();
        try (SqsClient lossy = LocalAws.shared().configure(SqsClient.builder())
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(lost)).build()) {
            // the replies through their queue (false): the path of a reply that fell back from the stream function
            Functions functions = new Functions(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE, false,
                    standardQueue("saga-replies"), deadlines(), s -> s, lossy, false);
            String customer = customer();
            String orderId = order(customer, "60.00");

            functions.settle(true);

            assertThat(lost.lost()).isGreaterThanOrEqualTo(6); // 2 commands, 2 deadlines, 2 replies
            assertThat(status(orderId)).isEqualTo(OrderStatus.APPROVED);
            assertThat(customerEvents(customer)).containsExactly("CustomerCreated", "CreditReserved");
            assertThat(customerState(customer).availableCredit()).isEqualByComparingTo("40.00");
            // the FIFO command queue dropped the retried send: the customer got ReserveCredit once
            assertThat(functions.customerCommandsReceived).hasSize(1);
            // the standard reply queue kept both copies of each reply: the orchestrator dropped the second
            List<SagaMessage> replies = functions.repliesReceived.stream()
                    .filter(SagaMessage.ReplyMessage.class::isInstance).toList();
            assertThat(replies).hasSize(4);
            assertThat(replies.stream().map(SagaMessage::messageId).distinct()).hasSize(2);
            SagaInstance<CreateOrderSagaData> saga = sagasOf(orderId).get(0);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(commandsOf(saga)).hasSize(2);
        }
    }

    @Test
    void an_approval_whose_reply_died_is_re_sent_and_answered_again_from_the_orders_record_and_the_saga_completes() {
        java.util.concurrent.atomic.AtomicInteger replies = new java.util.concurrent.atomic.AtomicInteger();
        // the replies through their queue (false): a reply that fell back from the stream function, then died
        Functions functions = withSweeper(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE,
                sender -> new DroppingReply(sender, () -> replies.incrementAndGet() == 2), false); // the approval's
        String customer = customer();
        String orderId = order(customer, "60.00");
        functions.settle(true);
        assertThat(status(orderId)).isEqualTo(OrderStatus.APPROVED);
        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> assertThat(s.status())
                .isEqualTo(SagaStatus.RUNNING));

        functions.sweep(SagaDefinition.DEFAULT_DEADLINE.plusSeconds(1)); // re-sends ApproveOrder, same id
        functions.settle(true);

        assertThat(sagasOf(orderId)).singleElement().satisfies(s -> assertThat(s.status())
                .isEqualTo(SagaStatus.COMPLETED));
        assertThat(app.orders().history(orderId)).extracting(e -> e.event().getClass().getSimpleName())
                .containsExactly("OrderCreated", "OrderApproved");
        assertThat(customerState(customer).availableCredit()).isEqualByComparingTo("40.00");
    }

    /** Drops the reply for which {@code lose} says so (it died in the reply queue's dead-letter queue). */
    private record DroppingReply(SagaMessageSender delegate, java.util.function.BooleanSupplier lose)
            implements SagaMessageSender {
        @Override
        public void send(SagaMessage.CommandMessage command) {
            delegate.send(command);
        }

        @Override
        public void send(SagaMessage.ReplyMessage reply) {
            if (!lose.getAsBoolean()) {
                delegate.send(reply);
            }
        }

        @Override
        public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
            delegate.schedule(deadline, delay);
        }
    }

    /** Every send fails while {@code down} holds (SQS unreachable from the stream function). */
    private record FailingWhile(SagaMessageSender delegate, java.util.concurrent.atomic.AtomicBoolean down)
            implements SagaMessageSender {
        private void check() {
            if (down.get()) {
                throw software.amazon.awssdk.services.sqs.model.SqsException.builder().statusCode(503)
                        .message("injected: SQS unavailable").build();
            }
        }

        @Override
        public void send(SagaMessage.CommandMessage command) {
            check();
            delegate.send(command);
        }

        @Override
        public void send(SagaMessage.ReplyMessage reply) {
            check();
            delegate.send(reply);
        }

        @Override
        public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
            check();
            delegate.schedule(deadline, delay);
        }
    }
}
