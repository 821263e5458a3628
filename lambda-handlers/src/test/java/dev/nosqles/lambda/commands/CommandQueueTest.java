package dev.nosqles.lambda.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandRejectedException;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.metrics.Metric;
import dev.nosqles.saga.Channel;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.CountingMetrics;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The single-writer path for a hot aggregate (concurrency.md, ADR 0018), through the AWS SDK on the local AWS: many
 * senders, one FIFO queue grouped by aggregate id, one consumer whose repository has a state cache. Every command
 * takes effect exactly once and in the order sent, a rejection is recorded once, a redelivery or a redrive is
 * dropped, a failure holds back only its own aggregate, and what SQS or the channel would refuse is refused before
 * anything is sent.
 */
class CommandQueueTest {
    sealed interface AccountCommand permits Open, Deposit, Withdraw, Unregistered {
    }

    record Open(String owner) implements AccountCommand {
    }

    record Deposit(long amount, String by) implements AccountCommand {
    }

    record Withdraw(long amount) implements AccountCommand {
    }

    /** On no channel. */
    record Unregistered() implements AccountCommand {
    }

    sealed interface AccountEvent permits Opened, Deposited, Withdrawn {
    }

    record Opened(String owner) implements AccountEvent {
    }

    record Deposited(long amount, String by) implements AccountEvent {
    }

    record Withdrawn(long amount) implements AccountEvent {
    }

    record Balance(long amount) {
    }

    static class Account implements Aggregate<Balance, AccountCommand, AccountEvent> {
        @Override
        public String type() {
            return "Account";
        }

        @Override
        public Balance initialState() {
            return new Balance(0);
        }

        @Override
        public List<? extends AccountEvent> process(Balance state, AccountCommand command) {
            return switch (command) {
                case Open o -> List.of(new Opened(o.owner()));
                case Deposit d -> List.of(new Deposited(d.amount(), d.by()));
                case Withdraw w -> {
                    if (w.amount() > state.amount()) {
                        throw new CommandRejectedException("insufficient-funds", "not enough money");
                    }
                    yield List.of(new Withdrawn(w.amount()));
                }
                case Unregistered u -> List.of();
            };
        }

        @Override
        public Balance apply(Balance state, AccountEvent event) {
            return switch (event) {
                case Opened o -> state;
                case Deposited d -> new Balance(state.amount() + d.amount());
                case Withdrawn w -> new Balance(state.amount() - w.amount());
            };
        }

        @Override
        public EventTypes<AccountEvent> eventTypes() {
            return EventTypes.<AccountEvent>builder().add("AccountOpened", 1, Opened.class)
                    .add("MoneyDeposited", 1, Deposited.class).add("MoneyWithdrawn", 1, Withdrawn.class).build();
        }
    }

    static final Channel<AccountCommand> ACCOUNT_COMMANDS = Channel.builder("account-commands", AccountCommand.class)
            .command("Deposit", Deposit.class).command("Withdraw", Withdraw.class).build();

    /** Reads (Query, GetItem) and event appends (PutItem on the events table) of the consumer's client. */
    static final class Requests implements ExecutionInterceptor {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong appends = new AtomicLong();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof QueryRequest || context.request() instanceof GetItemRequest) {
                reads.incrementAndGet();
            } else if (context.request() instanceof PutItemRequest) {
                appends.incrementAndGet();
            }
        }
    }

    private final SqsClient sqs = LocalAws.shared().configure(SqsClient.builder()).build();
    private final String queueUrl = sqs.createQueue(b -> b.queueName("accounts-" + UUID.randomUUID() + ".fifo")
            .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
    private final Requests requests = new Requests();
    private final DynamoDbClient dynamo = LocalAws.shared().configure(DynamoDbClient.builder())
            .overrideConfiguration(o -> o.addExecutionInterceptor(new CapacityMeter())
                    .addExecutionInterceptor(requests)).build();
    private final DynamoDbEventStore store = DynamoDbEventStore.builder().client(dynamo)
            .tableName(TestTables.newEventsTable(dynamo, "command-queue")).build();
    private final CountingMetrics metrics = new CountingMetrics();
    private final AggregateRepository<Balance, AccountCommand, AccountEvent> accounts = AggregateRepository
            .builder(new Account()).eventStore(store).stateCache(100).metrics(metrics).build();
    private final CommandQueueHandler<Balance, AccountCommand, AccountEvent> consumer = new CommandQueueHandler<>(
            accounts, ACCOUNT_COMMANDS, Telemetry.fromEnvironment(name -> null));
    private final CommandQueue<AccountCommand> queue = CommandQueue.builder(ACCOUNT_COMMANDS).client(sqs)
            .queueUrl(queueUrl).build();

    /** What the event source mapping does: receive up to 10, hand them over, delete the ones not failed. */
    private int drain() {
        int handled = 0;
        for (int empty = 0; empty < 2; ) {
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID)).messages();
            if (messages.isEmpty()) {
                empty++;
                continue;
            }
            List<SQSEvent.SQSMessage> records = new ArrayList<>();
            for (Message m : messages) {
                records.add(record(m.messageId(), m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID),
                        m.body()));
            }
            SQSBatchResponse response = consumer.handle(event(records));
            List<String> failed = failed(response);
            assertThat(failed).as("no command fails on this path").isEmpty();
            for (Message m : messages) {
                sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                handled++;
            }
        }
        return handled;
    }

    static SQSEvent.SQSMessage record(String id, String group, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:accounts.fifo");
        m.setAttributes(group == null ? Map.of() : Map.of("MessageGroupId", group));
        return m;
    }

    static SQSEvent event(List<SQSEvent.SQSMessage> records) {
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }

    private static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }

    private List<RecordedEvent> stream(String id) {
        return store.read(StreamId.of("Account", id)).events();
    }

    @Test
    void commands_from_many_senders_reach_the_aggregate_through_its_single_writer_once_each_and_in_order()
            throws Exception {
        accounts.create("acc", new Open("ann"));
        int senders = 4;
        int each = 10;
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> sent = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            String by = "sender-" + s;
            long base = (s + 1) * 1_000L;
            sent.add(pool.submit(() -> {
                for (int i = 1; i <= each; i++) {
                    queue.send("acc", new Deposit(base + i, by));
                }
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        pool.shutdown();
        long reads = requests.reads.get();
        long appends = requests.appends.get();

        assertThat(drain()).isEqualTo(senders * each);
        // one writer: every command one conditional write, on the state in hand (no read)
        assertThat(requests.reads.get() - reads).isZero();
        assertThat(requests.appends.get() - appends).isEqualTo(senders * each);

        List<RecordedEvent> events = stream("acc");
        assertThat(events).hasSize(1 + senders * each);
        assertThat(accounts.get("acc").state().amount()).isEqualTo(4 * 55 + 10_000L * 10);
        assertThat(metrics.count(Metric.CONCURRENCY_CONFLICTS)).isZero();
        // each sender's deposits in the order it sent them
        for (int s = 0; s < senders; s++) {
            String by = "\"by\":\"sender-" + s + "\"";
            List<String> mine = events.stream().map(RecordedEvent::data).filter(d -> d.contains(by)).toList();
            assertThat(mine).hasSize(each);
            for (int i = 1; i <= each; i++) {
                assertThat(mine.get(i - 1)).contains("\"amount\":" + ((s + 1) * 1_000L + i));
            }
        }
    }

    @Test
    void a_command_sent_twice_or_redriven_days_later_under_a_new_sqs_id_takes_effect_once() {
        accounts.create("acc", new Open("ann"));
        EventMetadata keyed = EventMetadata.empty().withMessageId("idem-1");
        queue.send("acc", new Deposit(5, "ann"), keyed);
        queue.send("acc", new Deposit(5, "ann"), keyed); // a retried send: the same command
        List<Message> first = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();
        String body = first.get(0).body();
        drainReceived(first);
        drain();

        // a DLQ redrive: the same body, a new SQS message id
        SQSBatchResponse redriven = consumer.handle(event(List.of(record("redrive-1", "acc", body))));

        assertThat(failed(redriven)).isEmpty();
        assertThat(accounts.get("acc").state().amount()).isEqualTo(5);
        assertThat(stream("acc")).hasSize(2);
        assertThat(metrics.count(Metric.DUPLICATES_DROPPED)).isPositive();
    }

    @Test
    void a_keyed_command_without_a_sent_time_redriven_past_the_horizon_is_refused_instead_of_taking_effect_again() {
        dev.nosqles.testsupport.MutableClock clock = dev.nosqles.testsupport.MutableClock.at("2026-11-01T00:00:00Z");
        AggregateRepository<Balance, AccountCommand, AccountEvent> repository = snapshotted(clock);
        CommandQueueHandler<Balance, AccountCommand, AccountEvent> handler = consumerOf(repository);
        CommandQueue<AccountCommand> sender = CommandQueue.builder(ACCOUNT_COMMANDS).client(sqs).queueUrl(queueUrl)
                .clock(clock).build();
        repository.create("acc", new Open("ann"));
        sender.send("acc", new Deposit(5, "ann"), EventMetadata.empty().withMessageId("k-1")); // no sent time
        String body = sqs.receiveMessage(r -> r.queueUrl(queueUrl)).messages().get(0).body();
        assertThat(body).contains("\"queuedAt\":\"2026-11-01T00:00:00Z\"").doesNotContain("sentAt");
        assertThat(failed(handler.handle(event(List.of(record("sqs-1", "acc", body)))))).isEmpty();
        laterMessages(repository, clock);

        // 4 days in the FIFO queue, then 14 in its dead-letter queue (which restarts the retention), then redriven
        clock.advance(java.time.Duration.ofDays(17));
        SQSBatchResponse redriven = handler.handle(event(List.of(record("redrive-1", "acc", body))));

        // its commit is older than the 15 days a search reaches: refused (and dead-lettered again), not applied twice
        assertThat(failed(redriven)).containsExactly("redrive-1");
        assertThat(repository.get("acc").state().amount()).isEqualTo(7);
    }

    @Test
    void a_keyed_command_without_a_sent_time_redriven_within_the_horizon_is_still_found_as_a_duplicate() {
        dev.nosqles.testsupport.MutableClock clock = dev.nosqles.testsupport.MutableClock.at("2026-11-01T00:00:00Z");
        AggregateRepository<Balance, AccountCommand, AccountEvent> repository = snapshotted(clock);
        CommandQueueHandler<Balance, AccountCommand, AccountEvent> handler = consumerOf(repository);
        repository.create("acc", new Open("ann"));
        String body = CommandQueue.encode("acc", "Deposit", "{\"amount\":5,\"by\":\"ann\"}",
                EventMetadata.empty().withMessageId("k-1"), clock.instant());
        assertThat(failed(handler.handle(event(List.of(record("sqs-1", "acc", body)))))).isEmpty();
        laterMessages(repository, clock);

        clock.advance(java.time.Duration.ofDays(13));
        SQSBatchResponse redriven = handler.handle(event(List.of(record("redrive-1", "acc", body))));

        assertThat(failed(redriven)).isEmpty(); // found by the search back to the horizon: dropped
        assertThat(repository.get("acc").state().amount()).isEqualTo(7);
    }

    private static CommandQueueHandler<Balance, AccountCommand, AccountEvent> consumerOf(
            AggregateRepository<Balance, AccountCommand, AccountEvent> repository) {
        return new CommandQueueHandler<>(repository, ACCOUNT_COMMANDS, Telemetry.fromEnvironment(name -> null));
    }

    /** A repository whose snapshot (every 2 versions) remembers one message id: older ones need a search. */
    private AggregateRepository<Balance, AccountCommand, AccountEvent> snapshotted(java.time.Clock clock) {
        Account snapshotting = new Account() {
            @Override
            public dev.nosqles.aggregate.Snapshotting<Balance> snapshotting() {
                return dev.nosqles.aggregate.Snapshotting.every(2, "Balance", 1, Balance.class);
            }
        };
        return AggregateRepository.builder(snapshotting).clock(clock).deduplicationWindow(1).metrics(metrics)
                .eventStore(DynamoDbEventStore.builder().client(dynamo).clock(clock)
                        .tableName(TestTables.newEventsTable(dynamo, "command-queue-horizon")).build())
                .snapshotStore(dev.nosqles.dynamodb.DynamoDbSnapshotStore.builder().client(dynamo)
                        .tableName(TestTables.newSnapshotsTable(dynamo, "command-queue-horizon")).build())
                .build();
    }

    /** A day later, two more messages: k-1 is no longer among the ids the latest snapshot remembers. */
    private static void laterMessages(AggregateRepository<Balance, AccountCommand, AccountEvent> repository,
                                      dev.nosqles.testsupport.MutableClock clock) {
        clock.advance(java.time.Duration.ofDays(1));
        repository.update("acc", new Deposit(1, "ann"), EventMetadata.empty().withMessageId("k-2"));
        repository.update("acc", new Deposit(1, "ann"), EventMetadata.empty().withMessageId("k-3"));
    }

    private void drainReceived(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            records.add(record(m.messageId(), "acc", m.body()));
        }
        assertThat(failed(consumer.handle(event(records)))).isEmpty();
        for (Message m : messages) {
            sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
        }
    }

    @Test
    void a_rejected_command_is_recorded_once_with_its_reason_and_is_not_retried() {
        accounts.create("acc", new Open("ann"));
        queue.send("acc", new Withdraw(50), EventMetadata.empty().withMessageId("w-1"));
        List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();
        String body = received.get(0).body();

        SQSBatchResponse response = consumer.handle(event(List.of(record("q1", "acc", body))));
        SQSBatchResponse again = consumer.handle(event(List.of(record("q2", "acc", body))));

        assertThat(failed(response)).isEmpty();
        assertThat(failed(again)).isEmpty();
        List<RecordedEvent> events = stream("acc");
        assertThat(events).hasSize(2);
        RecordedEvent rejection = events.get(1);
        assertThat(rejection.type()).isEqualTo(CommandQueueHandler.COMMAND_REJECTED);
        assertThat(rejection.data()).contains("\"commandType\":\"Withdraw\"").contains("insufficient-funds")
                .doesNotContain("50");
        assertThat(rejection.metadata().messageId()).isEqualTo("w-1");
        assertThat(accounts.get("acc").state().amount()).isZero();
    }

    @Test
    void a_failed_command_holds_back_the_rest_of_its_aggregate_and_no_other() {
        accounts.create("acc", new Open("ann"));
        accounts.create("acc2", new Open("bob"));
        String ghost1 = CommandQueue.encode("ghost", "Deposit", "{\"amount\":1,\"by\":\"x\"}",
                new EventMetadata(null, null, "g-1", null, java.time.Instant.now(), null));
        String ghost2 = CommandQueue.encode("ghost", "Deposit", "{\"amount\":2,\"by\":\"x\"}",
                new EventMetadata(null, null, "g-2", null, java.time.Instant.now(), null));
        String deposit = CommandQueue.encode("acc", "Deposit", "{\"amount\":7,\"by\":\"x\"}",
                new EventMetadata(null, null, "a-1", null, java.time.Instant.now(), null));
        String deposit2 = CommandQueue.encode("acc2", "Deposit", "{\"amount\":9,\"by\":\"x\"}",
                new EventMetadata(null, null, "b-1", null, java.time.Instant.now(), null));

        SQSBatchResponse response = consumer.handle(event(List.of(
                record("q1", "ghost", ghost1), // no such aggregate: fails
                record("q2", "acc", deposit), // another aggregate: runs
                record("q3", "ghost", ghost2), // after a failure of its aggregate: held back, not handled
                record("q4", "acc2", "{\"aggregateId\":\"acc2\"}"), // unreadable: fails
                record("q5", "acc2", deposit2)))); // held back

        assertThat(failed(response)).containsExactly("q1", "q3", "q4", "q5");
        assertThat(accounts.get("acc").state().amount()).isEqualTo(7);
        assertThat(accounts.get("acc2").state().amount()).isZero();
        assertThat(stream("acc2")).hasSize(1);
    }

    @Test
    void a_keyed_send_without_a_sent_time_carries_none_so_a_later_re_send_cannot_narrow_the_search_for_the_first() {
        accounts.create("acc", new Open("ann"));
        queue.send("acc", new Deposit(5, "ann"), EventMetadata.empty().withMessageId("k-1"));
        java.time.Instant first = java.time.Instant.parse("2026-11-30T10:00:00Z");
        queue.send("acc", new Deposit(6, "ann"), EventMetadata.empty().withMessageId("k-2").withMessageSentAt(first));
        queue.send("acc", new Deposit(7, "ann")); // a message id made here: sent now, its only send

        List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();

        assertThat(received).hasSize(3);
        assertThat(received.get(0).body()).contains("\"messageId\":\"k-1\"").doesNotContain("sentAt");
        assertThat(received.get(1).body()).contains("\"sentAt\":\"2026-11-30T10:00:00Z\"");
        assertThat(received.get(2).body()).contains("\"sentAt\":");
    }

    @Test
    void the_same_message_id_sent_to_two_aggregates_is_two_commands() {
        accounts.create("acc", new Open("ann"));
        accounts.create("acc2", new Open("bob"));
        EventMetadata upstream = EventMetadata.empty().withMessageId("event-77");
        queue.send("acc", new Deposit(3, "fan-out"), upstream);
        queue.send("acc2", new Deposit(4, "fan-out"), upstream);

        drain();

        assertThat(accounts.get("acc").state().amount()).isEqualTo(3);
        assertThat(accounts.get("acc2").state().amount()).isEqualTo(4);
    }

    @Test
    void the_sender_refuses_what_sqs_or_the_channel_would_refuse_and_sends_nothing() {
        assertThatThrownBy(() -> queue.send(" ", new Deposit(1, "x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("aggregate id");
        assertThatThrownBy(() -> queue.send("a b", new Deposit(1, "x")))
                .isInstanceOf(IllegalArgumentException.class);
        // SQS would take it as a group id; a stream id would not, and every delivery would fail
        assertThatThrownBy(() -> queue.send("acc/42", new Deposit(1, "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.send("a".repeat(129), new Deposit(1, "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.send("acc", new Deposit(1, "x"),
                EventMetadata.empty().withMessageId("not valid"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("message id");
        assertThatThrownBy(() -> queue.send("acc", new Unregistered()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not registered");
        assertThatThrownBy(() -> CommandQueue.builder(ACCOUNT_COMMANDS).client(sqs)
                .queueUrl(queueUrl.replace(".fifo", "")).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FIFO");

        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages()).isEmpty();
    }
}
