package dev.nosqles.lambda.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.commands.CommandQueueTest.Account;
import dev.nosqles.lambda.commands.CommandQueueTest.AccountCommand;
import dev.nosqles.lambda.commands.CommandQueueTest.AccountEvent;
import dev.nosqles.lambda.commands.CommandQueueTest.Balance;
import dev.nosqles.lambda.commands.CommandQueueTest.Deposit;
import dev.nosqles.lambda.commands.CommandQueueTest.Open;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.localaws.faults.FaultProxy;
import dev.nosqles.localaws.faults.FaultRule;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.TestTables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The single-writer path under faults (ADR 0018): senders, a FIFO queue and one consumer with a state cache, every
 * request through the fault proxy. The answers of PutItem and SendMessage are lost after they succeeded (the SDK
 * retries them), DynamoDB throttles, senders send some commands twice (a client retrying after a timeout), and the
 * consumer dies before deleting some batches (they come back after the visibility timeout, handled already).
 * Invariant: every deposit takes effect exactly once, in each sender's order, and nothing else is written.
 */
class CommandQueueUnderFaultsTest {
    private static final long SEED = 20261201L;

    @Test
    void under_lost_answers_throttles_resends_and_a_consumer_dying_before_its_deletes_every_command_counts_once()
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(LocalAws.shared(), SEED)) {
            LocalAws aws = proxy.aws();
            DynamoDbClient dynamo = aws.configure(DynamoDbClient.builder())
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(new CapacityMeter())).build();
            SqsClient sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build();
            // set up before the faults
            DynamoDbEventStore store = DynamoDbEventStore.builder().client(dynamo)
                    .tableName(TestTables.newEventsTable(dynamo, "queue-faults")).build();
            String queueUrl = sqs.createQueue(b -> b.queueName("faults-" + UUID.randomUUID() + ".fifo")
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true",
                            QueueAttributeName.VISIBILITY_TIMEOUT, "1"))).queueUrl();
            AggregateRepository<Balance, AccountCommand, AccountEvent> accounts = AggregateRepository
                    .builder(new Account()).eventStore(store).stateCache(100).build();
            accounts.create("acc", new Open("ann"));
            var consumer = new CommandQueueHandler<>(accounts, CommandQueueTest.ACCOUNT_COMMANDS,
                    Telemetry.fromEnvironment(name -> null));
            var queue = CommandQueue.builder(CommandQueueTest.ACCOUNT_COMMANDS).client(sqs).queueUrl(queueUrl)
                    .build();

            FaultRule lostPut = FaultRule.lostResponse("dynamodb", "PutItem", 0.2).withFirstBy(5);
            FaultRule throttle = FaultRule.throttle("dynamodb", null, 0.05).withFirstBy(20);
            FaultRule lostSend = FaultRule.lostResponse("sqs", "SendMessage", 0.2).withFirstBy(5);
            proxy.rules(List.of(lostPut, throttle, lostSend));

            int senders = 3;
            int each = 12;
            ExecutorService pool = Executors.newFixedThreadPool(senders);
            List<Future<?>> sent = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                String by = "sender-" + s;
                long base = (s + 1) * 1_000L;
                sent.add(pool.submit(() -> {
                    for (int i = 1; i <= each; i++) {
                        EventMetadata keyed = EventMetadata.empty().withMessageId(by + "-" + i);
                        queue.send("acc", new Deposit(base + i, by), keyed);
                        if (i % 4 == 0) {
                            queue.send("acc", new Deposit(base + i, by), keyed); // a client's retry
                        }
                    }
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            pool.shutdown();

            // the consumer: as an event source mapping, except that it dies before deleting one batch in four
            SplittableRandom dies = new SplittableRandom(SEED);
            int batches = 0;
            int abandoned = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (int empty = 0; empty < 4 && System.nanoTime() < deadline; ) {
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID)).messages();
                if (messages.isEmpty()) {
                    empty++;
                    Thread.sleep(600); // an abandoned batch comes back after the 1 s visibility timeout
                    continue;
                }
                empty = 0;
                batches++;
                List<SQSEvent.SQSMessage> records = new ArrayList<>();
                for (Message m : messages) {
                    records.add(CommandQueueTest.record(m.messageId(),
                            m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID), m.body()));
                }
                SQSBatchResponse response = consumer.handle(CommandQueueTest.event(records));
                Set<String> failed = new HashSet<>();
                response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
                if (dies.nextInt(4) == 0) {
                    abandoned++;
                    continue; // the process died after handling, before deleting: SQS delivers the batch again
                }
                for (Message m : messages) {
                    if (!failed.contains(m.messageId())) {
                        sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                    }
                }
            }
            proxy.rules(List.of());

            // every fault really happened
            assertThat(proxy.counts().count(lostPut)).as("PutItem answers lost").isPositive();
            assertThat(proxy.counts().count(throttle)).as("DynamoDB throttles").isPositive();
            assertThat(proxy.counts().count(lostSend)).as("SendMessage answers lost").isPositive();
            assertThat(abandoned).as("batches abandoned before their deletes").isPositive();
            assertThat(batches).isGreaterThan(abandoned);

            // exactly once: every deposit once, nothing else
            List<RecordedEvent> events = store.read(StreamId.of("Account", "acc")).events();
            List<RecordedEvent> deposits = events.stream().filter(e -> e.type().equals("MoneyDeposited")).toList();
            assertThat(deposits).hasSize(senders * each);
            assertThat(events).hasSize(1 + senders * each);
            long expected = 0;
            for (int s = 0; s < senders; s++) {
                for (int i = 1; i <= each; i++) {
                    expected += (s + 1) * 1_000L + i;
                }
            }
            assertThat(accounts.get("acc").state().amount()).isEqualTo(expected);
            // in each sender's order
            for (int s = 0; s < senders; s++) {
                String by = "\"by\":\"sender-" + s + "\"";
                List<String> mine = deposits.stream().map(RecordedEvent::data).filter(d -> d.contains(by)).toList();
                for (int i = 1; i <= each; i++) {
                    assertThat(mine.get(i - 1)).contains("\"amount\":" + ((s + 1) * 1_000L + i));
                }
            }
        }
    }
}
