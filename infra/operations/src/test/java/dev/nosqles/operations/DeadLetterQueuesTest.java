package dev.nosqles.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.operations.RedriveReport.Result;
import dev.nosqles.saga.Channel;
import dev.nosqles.saga.ReplyOutcome;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The saga channels' dead-letter queues on the local AWS: a peek deletes nothing, a redrive moves each message back
 * to its source (FIFO: same group, fresh deduplication id, {@code nosqles-redriven-at}) and tells which were
 * already applied; a real participant then drops those and applies the others once.
 */
class DeadLetterQueuesTest {
    private static final LocalAws AWS = LocalAws.shared();
    private static final DynamoDbClient DYNAMO = AWS.configure(DynamoDbClient.builder())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private static final SqsClient SQS = AWS.configure(SqsClient.builder())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private static final Channel<Counter.Command> CHANNEL = Channel.builder("counters", Counter.Command.class)
            .command("Increment", Counter.Increment.class).build();

    private String events;
    private DynamoDbEventStore store;
    private AggregateRepository<Counter.State, Counter.Command, Counter.Event> counters;
    private SagaParticipant<Counter.State, Counter.Command, Counter.Event> participant;
    private final List<ReplyMessage> replies = new ArrayList<>();
    private String commands;
    private String commandsDlq;
    private String sagaReplies;
    private String sagaRepliesDlq;
    private DeadLetterQueues dlqs;

    @BeforeEach
    void given_a_participant_its_fifo_channel_the_reply_queue_and_their_dead_letter_queues() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        events = "dlq-events-" + suffix;
        EventTables.createEventsTable(DYNAMO, events);
        store = DynamoDbEventStore.builder().client(DYNAMO).tableName(events).build();
        counters = AggregateRepository.builder(new Counter()).eventStore(store).build();
        participant = SagaParticipant.builder(counters, CHANNEL, new SagaMessageSender() {
            @Override
            public void send(CommandMessage command) {
                throw new AssertionError("a participant sends no command");
            }

            @Override
            public void send(ReplyMessage reply) {
                replies.add(reply);
            }

            @Override
            public void schedule(SagaMessage.DeadlineMessage deadline, java.time.Duration delay) {
                throw new AssertionError("a participant schedules no deadline");
            }
        }).build();
        Map<QueueAttributeName, String> fifo = Map.of(QueueAttributeName.FIFO_QUEUE, "true",
                QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false");
        commands = queue("commands-" + suffix + ".fifo", fifo);
        commandsDlq = queue("commands-dlq-" + suffix + ".fifo", fifo);
        sagaReplies = queue("replies-" + suffix, Map.of());
        sagaRepliesDlq = queue("replies-dlq-" + suffix, Map.of());
        dlqs = DeadLetterQueues.builder().sqs(SQS).eventStore(store)
                .queue("CounterCommandsDlq", commandsDlq, "CounterCommandsQueue", commands)
                .queue("SagaRepliesDlq", sagaRepliesDlq, "SagaRepliesQueue", sagaReplies)
                .participant(CHANNEL.name(), Counter.TYPE)
                .build();
        counters.create("c-1", new Counter.Create());
    }

    private static String queue(String name, Map<QueueAttributeName, String> attributes) {
        return SQS.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    private static CommandMessage increment(String messageId, String sagaId) {
        return new CommandMessage(messageId, "TestSaga", sagaId, "replies", CHANNEL.name(), "c-1", "Increment",
                "{\"by\":5}", 0, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private void deadLetter(CommandMessage m, String group) {
        SQS.sendMessage(b -> b.queueUrl(commandsDlq).messageBody(m.toJson()).messageGroupId(group)
                .messageDeduplicationId(UUID.randomUUID().toString()));
    }

    private long items() {
        return DYNAMO.scan(b -> b.tableName(events).select(Select.COUNT)).count();
    }

    private long counter() {
        return counters.find("c-1").orElseThrow().state().value();
    }

    private static List<Message> takeAll(String url) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> page = SQS.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All"))
                    .messages();
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            page.forEach(m -> SQS.deleteMessage(d -> d.queueUrl(url).receiptHandle(m.receiptHandle())));
        }
    }

    /** What the participant's queue function does with each message of its queue. */
    private List<CommandResult<Counter.State, Counter.Event>> consumeCommands() {
        List<CommandResult<Counter.State, Counter.Event>> results = new ArrayList<>();
        for (Message m : takeAll(commands)) {
            results.add(participant.handle((CommandMessage) SagaMessage.fromJson(m.body())));
        }
        return results;
    }

    @Test
    void show_decodes_each_message_without_its_payload_and_deletes_nothing() {
        CommandMessage command = increment("m-show", "saga-1");
        deadLetter(command, "saga-1");

        List<DeadLetter> shown = dlqs.show("CounterCommandsDlq", 10);

        assertThat(shown).hasSize(1);
        DeadLetter d = shown.getFirst();
        assertThat(d.kind()).isEqualTo("command");
        assertThat(d.sagaId()).isEqualTo("saga-1");
        assertThat(d.messageId()).isEqualTo("m-show");
        assertThat(d.type()).isEqualTo("Increment");
        assertThat(d.target()).isEqualTo("c-1");
        assertThat(d.sentAt()).isEqualTo(command.sentAt());
        assertThat(d.receiveCount()).isEqualTo(1);
        assertThat(d.body()).isNull();
        // still there, visible at once: a second peek sees it again, with the body when asked
        List<DeadLetter> again = dlqs.show("CounterCommandsDlq", 10, true);
        assertThat(again).extracting(DeadLetter::messageId).containsExactly("m-show");
        assertThat(again.getFirst().receiveCount()).isEqualTo(2);
        assertThat(again.getFirst().body()).contains("\"by\":5");
        assertThat(dlqs.list()).containsExactly(
                new QueueDepth("CounterCommandsDlq", "CounterCommandsQueue", 1, 0),
                new QueueDepth("SagaRepliesDlq", "SagaRepliesQueue", 0, 0));
    }

    @Test
    void an_unknown_queue_is_refused_with_the_known_ones() {
        assertThatThrownBy(() -> dlqs.show("NoSuchDlq", 1)).isInstanceOf(UnknownQueueException.class)
                .hasMessageContaining("CounterCommandsDlq");
    }

    @Test
    void a_redriven_command_already_applied_is_reported_and_changes_nothing_in_the_events_table() {
        CommandMessage command = increment("m-applied", "saga-2");
        participant.handle(command); // applied once, then (say) its delete failed and it went to the DLQ
        deadLetter(command, "saga-2");
        long itemsBefore = items();
        long valueBefore = counter();

        RedriveReport report = dlqs.redrive("CounterCommandsDlq", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.messageId()).isEqualTo("m-applied");
            assertThat(o.result()).isEqualTo(Result.ALREADY_APPLIED);
            assertThat(o.detail()).startsWith("already applied: will be dropped");
        });
        assertThat(report.alreadyApplied()).isEqualTo(1);
        assertThat(dlqs.list().getFirst().visible() + dlqs.list().getFirst().inFlight()).isZero();
        List<CommandResult<Counter.State, Counter.Event>> handled = consumeCommands();
        assertThat(handled).singleElement().satisfies(r -> assertThat(r.duplicate()).isTrue());
        assertThat(items()).isEqualTo(itemsBefore);
        assertThat(counter()).isEqualTo(valueBefore);
    }

    @Test
    void a_redriven_command_not_yet_applied_goes_back_to_its_group_and_is_applied_once() {
        CommandMessage command = increment("m-new", "saga-3");
        deadLetter(command, "saga-3");
        long itemsBefore = items();

        RedriveReport report = dlqs.redrive("CounterCommandsDlq", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.REDRIVEN);
            assertThat(o.detail()).contains("not applied before");
        });
        List<Message> moved = takeAll(commands);
        assertThat(moved).singleElement().satisfies(m -> {
            assertThat(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("saga-3");
            assertThat(m.messageAttributes()).containsKey(DeadLetterQueues.REDRIVEN_AT);
            assertThat(Instant.parse(m.messageAttributes().get(DeadLetterQueues.REDRIVEN_AT).stringValue()))
                    .isAfterOrEqualTo(command.sentAt());
            assertThat(m.body()).isEqualTo(command.toJson());
        });
        participant.handle((CommandMessage) SagaMessage.fromJson(moved.getFirst().body()));
        assertThat(items()).isEqualTo(itemsBefore + 1);
        assertThat(counter()).isEqualTo(5);

        // it dead-letters again (say the delete of the first delivery failed) and is redriven again: dropped
        deadLetter(command, "saga-3");
        RedriveReport second = dlqs.redrive("CounterCommandsDlq", 10);
        assertThat(second.outcomes()).singleElement().satisfies(o ->
                assertThat(o.result()).isEqualTo(Result.ALREADY_APPLIED));
        assertThat(consumeCommands()).singleElement().satisfies(r -> assertThat(r.duplicate()).isTrue());
        assertThat(items()).isEqualTo(itemsBefore + 1);
        assertThat(counter()).isEqualTo(5);
    }

    @Test
    void a_reply_the_saga_has_recorded_is_reported_already_applied_and_goes_back_to_the_standard_queue() {
        ReplyMessage reply = new ReplyMessage("r-1", "TestSaga", "saga-4", "replies", "m-x", ReplyOutcome.SUCCESS,
                null, "{}", Instant.now());
        store.append(StreamId.of("TestSaga", "saga-4"), ExpectedVersion.noStream(),
                List.of(new NewEvent(UUID.randomUUID(), "ReplyHandled", 1, "{}")),
                EventMetadata.empty().withMessageId("r-1"));
        ReplyMessage other = new ReplyMessage("r-2", "TestSaga", "saga-4", "replies", "m-y", ReplyOutcome.FAILURE,
                "no-credit", "{}", Instant.now());
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply.toJson()));
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(other.toJson()));

        List<DeadLetter> shown = dlqs.show("SagaRepliesDlq", 10);
        RedriveReport report = dlqs.redrive("SagaRepliesDlq", 10);

        assertThat(shown).extracting(DeadLetter::kind, DeadLetter::messageId, DeadLetter::type)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("reply", "r-1", "SUCCESS"),
                        org.assertj.core.groups.Tuple.tuple("reply", "r-2", "FAILURE"));
        assertThat(report.outcomes()).extracting(RedriveReport.Outcome::messageId, RedriveReport.Outcome::result)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("r-1", Result.ALREADY_APPLIED),
                        org.assertj.core.groups.Tuple.tuple("r-2", Result.REDRIVEN));
        assertThat(takeAll(sagaReplies)).hasSize(2);
    }

    @Test
    void a_message_that_is_no_saga_message_is_kept_once_per_run_and_stays_visible() {
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody("not json"));
        ReplyMessage reply = new ReplyMessage("r-3", "TestSaga", "saga-5", "replies", "m-z", ReplyOutcome.SUCCESS,
                null, "{}", Instant.now());
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply.toJson()));

        RedriveReport report = dlqs.redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).as("each message once, the kept one not received again in the same run")
                .extracting(RedriveReport.Outcome::kind, RedriveReport.Outcome::result)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("unreadable", Result.KEPT),
                        org.assertj.core.groups.Tuple.tuple("reply", Result.REDRIVEN));
        assertThat(dlqs.show("SagaRepliesDlq", 10)).singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo("unreadable"));
        assertThat(takeAll(sagaReplies)).extracting(Message::body).containsExactly(reply.toJson());
    }

    // ------------------------------------------------------------------------------------------- injected faults

    /** An SQS client whose requests and responses pass through {@code interceptor}. */
    private static SqsClient sqsWith(ExecutionInterceptor interceptor) {
        return AWS.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(interceptor)).build();
    }

    /** Every receive hides nothing (visibility 0): what a run longer than the messages' hiding looks like. */
    private static final ExecutionInterceptor NO_HIDING = new ExecutionInterceptor() {
        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            return context.request() instanceof ReceiveMessageRequest r ? r.toBuilder().visibilityTimeout(0).build()
                    : context.request();
        }
    };

    private DeadLetterQueues repliesDlq(SqsClient sqs) {
        return DeadLetterQueues.builder().sqs(sqs).eventStore(store)
                .queue("SagaRepliesDlq", sagaRepliesDlq, "SagaRepliesQueue", sagaReplies).build();
    }

    private static ReplyMessage reply(String id) {
        return new ReplyMessage(id, "TestSaga", "saga-" + id, "replies", "m-" + id, ReplyOutcome.SUCCESS, null, "{}",
                Instant.now());
    }

    @Test
    void a_short_poll_that_answers_nothing_does_not_end_the_redrive_while_messages_remain() {
        // SQS short polls sample a subset of its servers: an empty answer does not mean an empty queue
        // (injected: each short poll is answered by an empty queue, receiving nothing from the real one)
        String empty = queue("empty-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
        ExecutionInterceptor emptyShortPolls = new ExecutionInterceptor() {
            @Override
            public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
                return context.request() instanceof ReceiveMessageRequest r
                        && (r.waitTimeSeconds() == null || r.waitTimeSeconds() == 0)
                        ? r.toBuilder().queueUrl(empty).build() : context.request();
            }
        };
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-20").toJson()));
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-21").toJson()));

        RedriveReport report = repliesDlq(sqsWith(emptyShortPolls)).redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).extracting(RedriveReport.Outcome::messageId)
                .containsExactlyInAnyOrder("r-20", "r-21");
        assertThat(report.remaining()).isZero();
        assertThat(takeAll(sagaReplies)).hasSize(2);
    }

    @Test
    void a_run_that_receives_nothing_reports_what_remains_in_the_queue() {
        ExecutionInterceptor nothingReceived = new ExecutionInterceptor() {
            @Override
            public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
                return context.request() instanceof ReceiveMessageRequest
                        ? ReceiveMessageResponse.builder().build() : context.response();
            }
        };
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-22").toJson()));

        RedriveReport report = repliesDlq(sqsWith(nothingReceived)).redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).isEmpty();
        assertThat(report.remaining()).isEqualTo(1);
    }

    @Test
    void show_with_a_large_max_ends_when_the_messages_come_round_again() {
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-23").toJson()));
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-24").toJson()));
        DeadLetterQueues peeking = repliesDlq(sqsWith(NO_HIDING));

        List<DeadLetter> shown = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(60), () -> peeking.show("SagaRepliesDlq", 10_000));

        assertThat(shown).extracting(DeadLetter::messageId).containsExactlyInAnyOrder("r-23", "r-24");
    }

    @Test
    void a_kept_message_received_again_in_the_same_run_is_neither_handled_nor_counted_twice() {
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody("not json"));
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-25").toJson()));

        RedriveReport report = repliesDlq(sqsWith(NO_HIDING)).redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).extracting(RedriveReport.Outcome::kind, RedriveReport.Outcome::result)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("unreadable", Result.KEPT),
                        org.assertj.core.groups.Tuple.tuple("reply", Result.REDRIVEN));
        assertThat(report.kept()).isEqualTo(1);
        assertThat(report.remaining()).isEqualTo(1);
        assertThat(takeAll(sagaReplies)).hasSize(1);
    }

    /** Fails the first request of the given type (a SendMessage, a DeleteMessage...) once. */
    private static ExecutionInterceptor failingOnce(Class<?> type) {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (type.isInstance(context.request()) && failed.compareAndSet(false, true)) {
                    throw software.amazon.awssdk.core.exception.SdkClientException.create("injected failure");
                }
            }
        };
    }

    private static long depth(String url) {
        Map<QueueAttributeName, String> a = SQS.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void a_failed_send_keeps_the_message_in_the_dead_letter_queue_and_puts_nothing_in_its_source() {
        String body = reply("r-30").toJson();
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(body));
        long before = depth(sagaRepliesDlq);

        RedriveReport report = repliesDlq(sqsWith(failingOnce(
                software.amazon.awssdk.services.sqs.model.SendMessageRequest.class))).redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.KEPT);
            assertThat(o.detail()).contains("failed");
        });
        assertThat(report.remaining()).isEqualTo(1);
        assertThat(depth(sagaRepliesDlq)).isEqualTo(before);
        assertThat(takeAll(sagaReplies)).isEmpty();
        assertThat(takeAll(sagaRepliesDlq)).extracting(Message::body).containsExactly(body);
    }

    @Test
    void a_failed_delete_after_the_send_reports_the_message_moved_and_its_copy_left_behind() {
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-31").toJson()));

        RedriveReport report = repliesDlq(sqsWith(failingOnce(
                software.amazon.awssdk.services.sqs.model.DeleteMessageRequest.class))).redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.REDRIVEN);
            assertThat(o.detail()).contains("copy remains in the dead-letter queue");
        });
        assertThat(takeAll(sagaReplies)).hasSize(1);
    }

    @Test
    void a_failing_applied_check_does_not_stop_the_run() {
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-32").toJson()));
        SQS.sendMessage(b -> b.queueUrl(sagaRepliesDlq).messageBody(reply("r-33").toJson()));
        // an event store whose table is not there: every check fails with an SDK exception
        DynamoDbEventStore broken = DynamoDbEventStore.builder().client(DYNAMO).tableName("no-such-table-"
                + UUID.randomUUID()).build();
        DeadLetterQueues dlq = DeadLetterQueues.builder().sqs(SQS).eventStore(broken)
                .queue("SagaRepliesDlq", sagaRepliesDlq, "SagaRepliesQueue", sagaReplies).build();

        RedriveReport report = dlq.redrive("SagaRepliesDlq", 10);

        assertThat(report.outcomes()).hasSize(2).allSatisfy(o -> {
            assertThat(o.result()).isEqualTo(Result.REDRIVEN);
            assertThat(o.detail()).contains("not checked");
        });
        assertThat(takeAll(sagaReplies)).hasSize(2);
    }

    @Test
    void a_fifo_redrive_uses_a_fresh_deduplication_id_so_two_redrives_within_five_minutes_both_arrive() {
        CommandMessage command = increment("m-dedup", "saga-9");
        // the original delivery to the source queue, with its own deduplication id
        SQS.sendMessage(b -> b.queueUrl(commands).messageBody(command.toJson()).messageGroupId("saga-9")
                .messageDeduplicationId("original-dedup"));
        assertThat(takeAll(commands)).hasSize(1);
        for (int round = 1; round <= 2; round++) {
            SQS.sendMessage(b -> b.queueUrl(commandsDlq).messageBody(command.toJson())
                    .messageGroupId("saga-9").messageDeduplicationId("original-dedup"));

            RedriveReport report = dlqs.redrive("CounterCommandsDlq", 10);

            assertThat(report.outcomes()).as("round " + round).singleElement()
                    .satisfies(o -> assertThat(o.result()).isNotEqualTo(Result.KEPT));
            assertThat(takeAll(commands)).as("round " + round + " arrives in the source queue").hasSize(1);
            // the dead-letter queue deduplicates too: the next round's copy must get past it
            SQS.purgeQueue(b -> b.queueUrl(commandsDlq));
            commandsDlq = queue("commands-dlq-" + UUID.randomUUID().toString().substring(0, 8) + ".fifo",
                    Map.of(QueueAttributeName.FIFO_QUEUE, "true",
                            QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false"));
            dlqs = DeadLetterQueues.builder().sqs(SQS).eventStore(store)
                    .queue("CounterCommandsDlq", commandsDlq, "CounterCommandsQueue", commands)
                    .participant(CHANNEL.name(), Counter.TYPE).build();
        }
    }
}
