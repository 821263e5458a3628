package dev.nosqles.operations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.operations.internal.Json;
import dev.nosqles.operations.RedriveReport.Outcome;
import dev.nosqles.operations.RedriveReport.Result;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The dead-letter queues of the saga channels and the on-failure queue of the stream functions: their depth, their
 * messages decoded (a peek: nothing is deleted), and a redrive that moves each message back to where it came from
 * and deletes it from the dead-letter queue only once that succeeded. A redriven message that was already applied
 * is dropped by its receiver (the framework deduplicates by message id); the redrive says so per message.
 *
 * <p>A saga message goes back to its source queue with the same body and message attributes plus
 * {@value #REDRIVEN_AT}; on a FIFO queue with the same MessageGroupId and a fresh MessageDeduplicationId (the
 * original one may still be inside the queue's five-minute deduplication window). An on-failure record of a stream
 * function names a shard and a range of sequence numbers: the redrive reads those records from the table's stream
 * (they stay 24 hours) and invokes the function with them, as the event source mapping would have; records that
 * left the stream cannot be replayed and the message stays.
 */
public final class DeadLetterQueues {
    /** The {@code source} of the stream functions' on-failure queue. */
    public static final String STREAM_FUNCTIONS = "stream functions";
    /** The message attribute a redrive sets (ISO-8601 instant): the functions count it as DlqRedrives. */
    public static final String REDRIVEN_AT = "nosqles-redriven-at";
    /** How long a message received by a redrive stays hidden from other readers while it is moved. */
    static final int REDRIVE_VISIBILITY_SECONDS = 120;
    /** How long a peeked message stays hidden before {@link #show} makes it visible again. */
    static final int PEEK_VISIBILITY_SECONDS = 30;
    /** The wait of the receive that would end a run (a short poll may answer nothing while messages remain). */
    static final int LONG_POLL_SECONDS = 2;

    private final SqsClient sqs;
    private final EventStore events;
    private final StreamReplay replay;
    private final Map<String, QueueSpec> queues;
    private final Map<String, String> participants;
    private final Duration clockSkew;
    private final Clock clock;

    private DeadLetterQueues(Builder b) {
        this.sqs = b.sqs;
        this.events = b.events;
        this.replay = b.streams == null ? null : new StreamReplay(b.streams, b.lambda);
        this.queues = Map.copyOf(b.queues);
        this.order = List.copyOf(b.queues.keySet());
        this.participants = Map.copyOf(b.participants);
        this.clockSkew = b.clockSkew;
        this.clock = b.clock;
    }

    private final List<String> order;

    public static Builder builder() {
        return new Builder();
    }

    /** The queues' logical ids, in the order they were added. */
    public List<String> queues() {
        return order;
    }

    /** The depth of every queue, in the order they were added (one GetQueueAttributes each). */
    public List<QueueDepth> list() {
        List<QueueDepth> depths = new ArrayList<>();
        for (String name : order) {
            QueueSpec q = queues.get(name);
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(q.url()).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            depths.add(new QueueDepth(name, q.source(),
                    Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
                    Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            "0"))));
        }
        return depths;
    }

    /** Up to {@code max} messages of a queue, decoded, without their bodies. Nothing is deleted. */
    public List<DeadLetter> show(String queue, int max) {
        return show(queue, max, false);
    }

    /**
     * Up to {@code max} messages of a queue, decoded, with their bodies if asked. Nothing is deleted: the messages
     * are received (hidden for a moment, their receive count goes up by one) and made visible again at once. On a
     * FIFO queue SQS hands out a message group's messages only in order, the first ten at most in one peek.
     *
     * @throws UnknownQueueException no queue of that name
     */
    public List<DeadLetter> show(String queue, int max, boolean withBody) {
        QueueSpec q = spec(queue);
        List<Message> messages = receive(q, max, PEEK_VISIBILITY_SECONDS);
        try {
            List<DeadLetter> letters = new ArrayList<>(messages.size());
            for (Message m : messages) {
                letters.add(decode(q, m, withBody));
            }
            return letters;
        } finally {
            for (Message m : messages) {
                release(q, m);
            }
        }
    }

    /** Moves up to {@code max} messages back to their source. */
    public RedriveReport redrive(String queue, int max) {
        return redrive(queue, max, outcome -> { });
    }

    /**
     * Moves up to {@code max} messages back to their source, telling {@code progress} after each. A message is
     * deleted from the dead-letter queue only after its send (or its batch's invocation) succeeded; one that
     * cannot be moved is reported {@link Result#KEPT KEPT} and made visible again when the run ends (on a FIFO
     * queue its group's later messages wait behind it, as SQS keeps a group in order).
     *
     * @throws UnknownQueueException no queue of that name
     */
    public RedriveReport redrive(String queue, int max, Consumer<Outcome> progress) {
        QueueSpec q = spec(queue);
        List<Outcome> outcomes = new ArrayList<>();
        String source = q.streamFailures() ? STREAM_FUNCTIONS : q.source();
        // kept messages stay hidden until the end of the run, then are made visible again at once; one received
        // again in the same run (its hiding ran out) is skipped, not moved or counted twice, and hidden again
        Map<String, Message> kept = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        int[] calls = {0};
        int cap = receiveCap(max);
        try {
            while (outcomes.size() < max) {
                List<Message> batch = fresh(q, Math.min(10, max - outcomes.size()), REDRIVE_VISIBILITY_SECONDS,
                        seen, kept, calls, cap);
                if (batch.isEmpty()) {
                    break;
                }
                for (Message m : batch) {
                    Outcome o = q.streamFailures() ? replay(q, m) : move(q, m);
                    if (o.result() == Result.KEPT) {
                        kept.put(m.messageId(), m);
                    }
                    outcomes.add(o);
                    progress.accept(o);
                }
            }
        } finally {
            kept.values().forEach(m -> release(q, m));
        }
        return new RedriveReport(queue, source, outcomes, remaining(q));
    }

    /** What is left in the queue (visible and in flight) when a run ends. */
    private long remaining(QueueSpec q) {
        try {
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(q.url()).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            return Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                    + Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    "0"));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------------------ saga messages

    private Outcome move(QueueSpec q, Message m) {
        SagaMessage message;
        try {
            message = SagaMessage.fromJson(m.body());
        } catch (RuntimeException e) {
            return new Outcome(m.messageId(), null, "unreadable", Result.KEPT, "not a saga message: kept");
        }
        String kind = kind(message);
        Optional<Boolean> applied = applied(message);
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>(m.messageAttributes());
        attributes.put(REDRIVEN_AT, MessageAttributeValue.builder().dataType("String")
                .stringValue(clock.instant().toString()).build());
        SendMessageRequest.Builder send = SendMessageRequest.builder().queueUrl(q.sourceUrl()).messageBody(m.body())
                .messageAttributes(attributes);
        if (q.sourceUrl().endsWith(".fifo")) {
            String group = m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
            send.messageGroupId(group != null ? group : message.sagaId())
                    .messageDeduplicationId("redrive-" + UUID.randomUUID());
        }
        try {
            sqs.sendMessage(send.build());
        } catch (RuntimeException e) {
            return new Outcome(m.messageId(), message.messageId(), kind, Result.KEPT,
                    "sending to " + q.source() + " failed (" + e.getClass().getSimpleName() + "): kept");
        }
        String copy = deleted(q, m) ? "" : "; a copy remains in the dead-letter queue (its delete failed; the "
                + "receiver drops the duplicate if it is redriven again)";
        if (applied.orElse(false)) {
            return new Outcome(m.messageId(), message.messageId(), kind, Result.ALREADY_APPLIED,
                    "already applied: will be dropped (moved to " + q.source() + ")" + copy);
        }
        return new Outcome(m.messageId(), message.messageId(), kind, Result.REDRIVEN,
                (applied.isPresent() ? "not applied before" : "not checked (no event store, or the check failed)")
                        + ": moved to " + q.source() + copy);
    }

    /**
     * Whether the receiver has applied the message (its id is in the commit the receiver wrote for it): a
     * command in its target's stream, a reply or a deadline in the saga's stream. Empty when that cannot be told
     * (no event store, or a participant channel not configured).
     */
    Optional<Boolean> applied(SagaMessage message) {
        if (events == null) {
            return Optional.empty();
        }
        StreamId stream;
        Instant since;
        switch (message) {
            case CommandMessage c -> {
                String type = participants.get(c.channel());
                if (type == null) {
                    return Optional.empty();
                }
                stream = StreamId.of(type, c.target());
                since = c.sentAt();
            }
            case ReplyMessage r -> {
                stream = StreamId.of(r.sagaType(), r.sagaId());
                since = r.sentAt();
            }
            case DeadlineMessage d -> {
                stream = StreamId.of(d.sagaType(), d.sagaId());
                since = d.deadline();
            }
        }
        Instant from = since == null ? Instant.EPOCH : since.minus(clockSkew);
        try {
            return Optional.of(events.findMessageCommit(stream, message.messageId(), Long.MAX_VALUE, from)
                    .isPresent());
        } catch (StreamNotFoundException e) {
            return Optional.of(false);
        } catch (RuntimeException e) {
            // a failed check (throttling, an invalid stream id...) does not stop the run: the message is moved all
            // the same, and its receiver deduplicates it
            return Optional.empty();
        }
    }

    // ----------------------------------------------------------------------------------------------- stream batches

    private Outcome replay(QueueSpec q, Message m) {
        Optional<DeadLetter.StreamBatch> batch = streamBatch(m.body());
        if (batch.isEmpty()) {
            return new Outcome(m.messageId(), null, "unreadable", Result.KEPT,
                    "not an on-failure record of a stream: kept");
        }
        if (replay == null) {
            return new Outcome(m.messageId(), null, "stream-batch", Result.KEPT,
                    "no stream reader and Lambda client configured: kept");
        }
        StreamReplay.Result r = replay.replay(batch.get());
        if (!r.done()) {
            return new Outcome(m.messageId(), null, "stream-batch", Result.KEPT, r.detail() + ": kept");
        }
        return new Outcome(m.messageId(), null, "stream-batch", Result.REDRIVEN, r.detail() + (deleted(q, m) ? ""
                : "; a copy remains in the dead-letter queue (its delete failed)"));
    }

    static Optional<DeadLetter.StreamBatch> streamBatch(String body) {
        try {
            JsonNode root = Json.mapper().readTree(body);
            JsonNode info = root == null ? null : root.get("DDBStreamBatchInfo");
            if (info == null || !info.isObject()) {
                return Optional.empty();
            }
            String arn = root.path("requestContext").path("functionArn").asText("");
            String function = arn.contains(":function:") ? arn.substring(arn.indexOf(":function:") + 10) : arn;
            int colon = function.indexOf(':');
            if (colon >= 0) {
                function = function.substring(0, colon); // a qualifier
            }
            String shard = info.path("shardId").asText("");
            String start = info.path("startSequenceNumber").asText("");
            String end = info.path("endSequenceNumber").asText("");
            if (function.isEmpty() || shard.isEmpty() || start.isEmpty() || end.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new DeadLetter.StreamBatch(function, info.path("streamArn").asText(null), shard,
                    start, end, info.path("batchSize").asInt(0)));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------------------------ shared

    private DeadLetter decode(QueueSpec q, Message m, boolean withBody) {
        int receives = parseInt(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
        Instant sqsSent = epochMillis(m.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP));
        String body = withBody ? m.body() : null;
        if (q.streamFailures()) {
            Optional<DeadLetter.StreamBatch> batch = streamBatch(m.body());
            if (batch.isPresent()) {
                JsonNode root = tree(m.body());
                Instant at = instant(root.path("timestamp").asText(null));
                return new DeadLetter(q.name(), m.messageId(), "stream-batch", null, null,
                        root.path("requestContext").path("condition").asText(null), batch.get().function(),
                        at != null ? at : sqsSent, receives, batch.get(), body);
            }
            return new DeadLetter(q.name(), m.messageId(), "unreadable", null, null, null, null, sqsSent, receives,
                    null, body);
        }
        SagaMessage message;
        try {
            message = SagaMessage.fromJson(m.body());
        } catch (RuntimeException e) {
            return new DeadLetter(q.name(), m.messageId(), "unreadable", null, null, null, null, sqsSent, receives,
                    null, body);
        }
        Instant sent = message.sentAt() != null ? message.sentAt() : sqsSent;
        return switch (message) {
            case CommandMessage c -> new DeadLetter(q.name(), m.messageId(), "command", c.sagaId(), c.messageId(),
                    c.commandType(), c.target(), sent, receives, null, body);
            case ReplyMessage r -> new DeadLetter(q.name(), m.messageId(), "reply", r.sagaId(), r.messageId(),
                    r.outcome().name(), r.sagaType(), sent, receives, null, body);
            case DeadlineMessage d -> new DeadLetter(q.name(), m.messageId(), "deadline", d.sagaId(), d.messageId(),
                    "deadline", d.sagaType(), sent, receives, null, body);
        };
    }

    private static String kind(SagaMessage message) {
        return switch (message) {
            case CommandMessage c -> "command";
            case ReplyMessage r -> "reply";
            case DeadlineMessage d -> "deadline";
        };
    }

    /** A bound on the receive calls of a run of up to {@code max} messages (each brings 0..10). */
    static int receiveCap(int max) {
        return 2 * ((max + 9) / 10) + 10;
    }

    /** Up to {@code max} distinct messages; stops at a page with no new id (after a long poll) or the cap. */
    private List<Message> receive(QueueSpec q, int max, int visibility) {
        List<Message> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, Message> none = new HashMap<>();
        int[] calls = {0};
        int cap = receiveCap(max);
        while (all.size() < max) {
            List<Message> page = fresh(q, Math.min(10, max - all.size()), visibility, seen, none, calls, cap);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
        }
        return all;
    }

    /**
     * The messages of the next page whose ids were not seen before (they are added to {@code seen}). A page with
     * none (empty, or only ids seen before) is followed by one long poll, as a short poll may answer nothing while
     * messages remain; an empty answer then means there is nothing more to receive. A repeat of a message in
     * {@code kept} updates its receipt handle (the newest one is needed to release it). At most {@code cap} calls
     * in all ({@code calls[0]} counts them).
     */
    private List<Message> fresh(QueueSpec q, int want, int visibility, Set<String> seen, Map<String, Message> kept,
                                int[] calls, int cap) {
        for (int wait : new int[] {0, LONG_POLL_SECONDS}) {
            if (calls[0] >= cap) {
                return List.of();
            }
            calls[0]++;
            List<Message> page = sqs.receiveMessage(r -> r.queueUrl(q.url()).maxNumberOfMessages(want)
                    .visibilityTimeout(visibility).waitTimeSeconds(wait)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            List<Message> fresh = new ArrayList<>();
            for (Message m : page) {
                if (seen.add(m.messageId())) {
                    fresh.add(m);
                } else if (kept.containsKey(m.messageId())) {
                    kept.put(m.messageId(), m);
                }
            }
            if (!fresh.isEmpty()) {
                return fresh;
            }
        }
        return List.of();
    }

    /** Deletes a moved message; false if that failed (the message was moved all the same). */
    private boolean deleted(QueueSpec q, Message m) {
        try {
            sqs.deleteMessage(r -> r.queueUrl(q.url()).receiptHandle(m.receiptHandle()));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void release(QueueSpec q, Message m) {
        try {
            sqs.changeMessageVisibility(r -> r.queueUrl(q.url()).receiptHandle(m.receiptHandle())
                    .visibilityTimeout(0));
        } catch (RuntimeException e) {
            // it becomes visible when its timeout runs out
        }
    }

    private QueueSpec spec(String queue) {
        QueueSpec q = queues.get(queue);
        if (q == null) {
            throw new UnknownQueueException(queue, order);
        }
        return q;
    }

    private static JsonNode tree(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (Exception e) {
            return Json.mapper().createObjectNode();
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Instant epochMillis(String text) {
        try {
            return text == null ? null : Instant.ofEpochMilli(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int parseInt(String text) {
        try {
            return text == null ? 0 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    record QueueSpec(String name, String url, String source, String sourceUrl, boolean streamFailures) {
    }

    /** Configures the queues and the clients; the SQS client is required. */
    public static final class Builder {
        private SqsClient sqs;
        private EventStore events;
        private DynamoDbStreamsClient streams;
        private LambdaClient lambda;
        private Duration clockSkew = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private final Map<String, QueueSpec> queues = new LinkedHashMap<>();
        private final Map<String, String> participants = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder sqs(SqsClient sqs) {
            this.sqs = Objects.requireNonNull(sqs, "sqs");
            return this;
        }

        /** The event store, read to tell whether a message was already applied (optional). */
        public Builder eventStore(EventStore events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        /** To read the records of a failed stream batch and invoke its function again (stream failures only). */
        public Builder streamReplay(DynamoDbStreamsClient streams, LambdaClient lambda) {
            this.streams = Objects.requireNonNull(streams, "streams");
            this.lambda = Objects.requireNonNull(lambda, "lambda");
            return this;
        }

        /**
         * A dead-letter queue of a saga channel.
         *
         * @param name its logical id, e.g. CustomerCommandsDlq
         * @param url its URL
         * @param source the logical id of the queue whose RedrivePolicy names it
         * @param sourceUrl that queue's URL
         */
        public Builder queue(String name, String url, String source, String sourceUrl) {
            queues.put(Objects.requireNonNull(name, "name"), new QueueSpec(name, Objects.requireNonNull(url, "url"),
                    Objects.requireNonNull(source, "source"), Objects.requireNonNull(sourceUrl, "sourceUrl"),
                    false));
            return this;
        }

        /** The on-failure queue of the stream functions. */
        public Builder streamFailures(String name, String url) {
            queues.put(Objects.requireNonNull(name, "name"), new QueueSpec(name, Objects.requireNonNull(url, "url"),
                    STREAM_FUNCTIONS, null, true));
            return this;
        }

        /** A saga participant's channel and the aggregate type its commands target (to check applied commands). */
        public Builder participant(String channel, String aggregateType) {
            participants.put(Objects.requireNonNull(channel, "channel"),
                    Objects.requireNonNull(aggregateType, "aggregateType"));
            return this;
        }

        /**
         * How far before a message's {@code sentAt} its receiver's commit may be stamped (the repositories'
         * clock-skew allowance; default 5 minutes).
         */
        public Builder clockSkew(Duration clockSkew) {
            this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
            return this;
        }

        /** The clock of {@value #REDRIVEN_AT} (default UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public DeadLetterQueues build() {
            Objects.requireNonNull(sqs, "sqs");
            return new DeadLetterQueues(this);
        }
    }
}
