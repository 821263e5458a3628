package dev.nosqles.lambda.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.lambda.internal.LambdaJson;
import dev.nosqles.saga.Channel;
import dev.nosqles.store.EventMetadata;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sends an aggregate's commands to its <b>single writer</b>: an SQS FIFO queue with the aggregate id as the message
 * group, consumed by a {@link CommandQueueHandler} (concurrency.md, ADR 0018). SQS hands one group's messages to one
 * consumer at a time and in order, so however many processes send, the aggregate has one writer: no conflicts, and
 * with a state cache on the consumer's repository each command costs one conditional write.
 *
 * <p>The message id is the command's identity, per aggregate: the message id the consumer stores with the commit (a
 * redelivery, a re-send, a redrive days later is recognised and dropped, ADR 0003) and, with the aggregate id, the
 * queue's deduplication id (SQS drops a repeated send within 5 minutes; the same message id for two aggregates, say
 * one upstream event fanned out, is two commands). Pass your own (an HTTP {@code Idempotency-Key}, an upstream event
 * id) so that a retried send is the same command; otherwise a random one is made. Give it with the time it was
 * first sent ({@link EventMetadata#messageSentAt()}) when you know it: that bounds the consumer's search for an
 * earlier delivery; without it the search covers the whole deduplication horizon (correct, dearer on a hot
 * aggregate).
 *
 * <pre>{@code
 * CommandQueue<AccountCommand> accounts = CommandQueue.builder(ACCOUNT_COMMANDS)
 *     .client(sqs).queueUrl(System.getenv("ACCOUNT_COMMANDS_QUEUE_URL")).build();
 * String messageId = accounts.send("acc-42", new Deposit(500));
 * }</pre>
 *
 * @param <C> the aggregate's commands, registered on the {@link Channel} with stable wire names
 */
public final class CommandQueue<C> {
    /** What SQS accepts as a message group or deduplication id: 1 to 128 printable ASCII characters, no space. */
    private static final Pattern SQS_ID = Pattern.compile("[!-~]{1,128}");
    /** Any valid aggregate type: the sender checks aggregate ids by the stream id's own rule, which it has none of. */
    private static final String ANY_TYPE = "Aggregate";

    private final Channel<C> channel;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Clock clock;
    private final Supplier<UUID> ids;

    private CommandQueue(Builder<C> b) {
        this.channel = b.channel;
        this.sqs = b.sqs;
        this.queueUrl = b.queueUrl;
        this.clock = b.clock;
        this.ids = b.ids;
    }

    /** @param channel the commands this queue carries and their wire names (shared with the consumer) */
    public static <C> Builder<C> builder(Channel<C> channel) {
        return new Builder<>(channel);
    }

    /**
     * Sends a command under a new random message id.
     *
     * @return the message id
     * @throws IllegalArgumentException the aggregate id is not a valid message group id, or the command is not on
     *                                  the channel; nothing is sent
     */
    public String send(String aggregateId, C command) {
        return send(aggregateId, command, EventMetadata.empty());
    }

    /**
     * Sends a command with the caller's metadata: its message id (made when absent), correlation and causation ids,
     * principal and trace header (the invocation's when absent) travel with the command and are stored with the
     * commit. {@code messageSentAt}: the caller's; now for a message id made here (this is its first and only
     * send); none for a caller's message id without it (it may be a re-send, and a later time would narrow the
     * consumer's search for the first delivery). The body also says when this send queued it ({@code queuedAt}):
     * the consumer refuses a message without a sent time whose send is older than its deduplication horizon.
     *
     * @return the message id
     * @throws IllegalArgumentException the aggregate id is not a valid aggregate id (1 to 128 of
     *                                  {@code A-Z a-z 0-9 . _ : -}), the message id is not 1 to 128 printable ASCII
     *                                  characters, or the command is not on the channel; nothing is sent
     */
    public String send(String aggregateId, C command, EventMetadata metadata) {
        Objects.requireNonNull(command, "command");
        EventMetadata m = metadata == null ? EventMetadata.empty() : metadata;
        if (aggregateId == null || !validAggregateId(aggregateId)) {
            throw new IllegalArgumentException("the aggregate id must be 1 to 128 of A-Z a-z 0-9 . _ : -");
        }
        boolean made = m.messageId() == null;
        String messageId = made ? ids.get().toString() : m.messageId();
        if (!SQS_ID.matcher(messageId).matches()) {
            throw new IllegalArgumentException("the message id must be 1 to 128 printable ASCII characters without"
                    + " spaces");
        }
        Instant sentAt = m.messageSentAt() != null ? m.messageSentAt() : made ? clock.instant() : null;
        String trace = m.traceHeader() != null ? m.traceHeader() : dev.nosqles.lambda.Telemetry.traceHeader();
        String body = encode(aggregateId, channel.typeOf(command), channel.encode(command), new EventMetadata(
                m.correlationId(), m.causationId(), messageId, m.principal(), sentAt, trace), clock.instant());
        software.amazon.awssdk.services.sqs.model.SendMessageRequest.Builder request =
                software.amazon.awssdk.services.sqs.model.SendMessageRequest.builder().queueUrl(queueUrl)
                        .messageBody(body).messageGroupId(aggregateId)
                        .messageDeduplicationId(deduplicationId(aggregateId, messageId));
        if (trace != null) {
            // Lambda continues the consumer's X-Ray trace from it
            request.messageSystemAttributes(java.util.Map.of(
                    software.amazon.awssdk.services.sqs.model.MessageSystemAttributeNameForSends.AWS_TRACE_HEADER,
                    software.amazon.awssdk.services.sqs.model.MessageSystemAttributeValue.builder()
                            .dataType("String").stringValue(trace).build()));
        }
        sqs.sendMessage(request.build());
        return messageId;
    }

    /** Whether a stream id takes it (stricter than SQS's group ids): else every delivery would fail. */
    private static boolean validAggregateId(String aggregateId) {
        try {
            dev.nosqles.store.StreamId.of(ANY_TYPE, aggregateId);
            return true;
        } catch (dev.nosqles.store.InvalidStreamIdException e) {
            return false;
        }
    }

    /**
     * The queue's deduplication id of a command: derived from the aggregate id and the message id (SQS
     * deduplicates across the queue; the repository per aggregate).
     */
    static String deduplicationId(String aggregateId, String messageId) {
        return UUID.nameUUIDFromBytes((aggregateId + "\n" + messageId)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** The body of a queued command: the aggregate id, the command's wire type and JSON, and its metadata. */
    static String encode(String aggregateId, String commandType, String commandJson, EventMetadata metadata) {
        return encode(aggregateId, commandType, commandJson, metadata, null);
    }

    /**
     * As above, with {@code queuedAt}: when this send put it on the queue (null: not said). The message was first
     * sent then or earlier: a consumer that finds this send older than its deduplication horizon knows the message
     * is too (CommandQueueHandler), although the message carries no {@code sentAt} (a caller's id: a re-send
     * must not narrow the search for its first delivery).
     */
    static String encode(String aggregateId, String commandType, String commandJson, EventMetadata metadata,
                         Instant queuedAt) {
        try {
            ObjectNode body = LambdaJson.mapper().createObjectNode();
            body.put("aggregateId", aggregateId);
            body.put("commandType", commandType);
            body.set("command", LambdaJson.mapper().readTree(commandJson));
            body.put("messageId", metadata.messageId());
            if (metadata.messageSentAt() != null) {
                body.put("sentAt", metadata.messageSentAt().toString());
            }
            if (queuedAt != null) {
                body.put("queuedAt", queuedAt.toString());
            }
            putIfPresent(body, "correlationId", metadata.correlationId());
            putIfPresent(body, "causationId", metadata.causationId());
            putIfPresent(body, "principal", metadata.principal());
            putIfPresent(body, "traceHeader", metadata.traceHeader());
            return LambdaJson.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise a " + commandType + " command");
        }
    }

    private static void putIfPresent(ObjectNode body, String field, String value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    /** A queued command as read from a message body; {@code queuedAt} null when the body does not say. */
    record Queued<C>(String aggregateId, String commandType, C command, EventMetadata metadata, Instant queuedAt) {
    }

    /**
     * Reads a message body.
     *
     * @throws IllegalArgumentException the body is not a queued command of this channel (names the field, never
     *                                  quotes the body)
     */
    static <C> Queued<C> decode(Channel<C> channel, String body) {
        JsonNode root;
        try {
            root = LambdaJson.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the message body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the message body is not a JSON object");
        }
        String aggregateId = text(root, "aggregateId", true);
        String commandType = text(root, "commandType", true);
        String messageId = text(root, "messageId", true);
        Instant sentAt = instant(root, "sentAt");
        Instant queuedAt = instant(root, "queuedAt");
        JsonNode command = root.get("command");
        if (command == null || !command.isObject()) {
            throw new IllegalArgumentException("field command is missing or not a JSON object");
        }
        C decoded = channel.decode(commandType, command.toString());
        return new Queued<>(aggregateId, commandType, decoded, new EventMetadata(text(root, "correlationId", false),
                text(root, "causationId", false), messageId, text(root, "principal", false), sentAt,
                text(root, "traceHeader", false)), queuedAt);
    }

    private static Instant instant(JsonNode root, String field) {
        String value = text(root, field, false);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("field " + field + " is not an ISO-8601 instant");
        }
    }

    private static String text(JsonNode root, String field, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new IllegalArgumentException("field " + field + " is missing");
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException("field " + field + " is not a non-blank string");
        }
        return node.asText();
    }

    /** Configures a {@link CommandQueue}; {@link #build()} validates. */
    public static final class Builder<C> {
        private final Channel<C> channel;
        private SqsClient sqs;
        private String queueUrl;
        private Clock clock = Clock.systemUTC();
        private Supplier<UUID> ids = UUID::randomUUID;

        private Builder(Channel<C> channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
        }

        /** The SQS client (required). */
        public Builder<C> client(SqsClient sqs) {
            this.sqs = sqs;
            return this;
        }

        /** The FIFO queue's URL (required; it ends in {@code .fifo}). */
        public Builder<C> queueUrl(String queueUrl) {
            this.queueUrl = queueUrl;
            return this;
        }

        /** Stamps {@code messageSentAt}; the system UTC clock by default. */
        public Builder<C> clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Message ids when the caller gives none; random UUIDs by default. */
        public Builder<C> ids(Supplier<UUID> ids) {
            this.ids = ids;
            return this;
        }

        /** @throws IllegalStateException the client or queue URL is missing, or the queue is not a FIFO queue */
        public CommandQueue<C> build() {
            if (sqs == null || clock == null || ids == null) {
                throw new IllegalStateException("client is required; clock and ids must not be null");
            }
            if (queueUrl == null || !queueUrl.endsWith(".fifo")) {
                throw new IllegalStateException("queueUrl is required and must name a FIFO queue (.fifo): only a"
                        + " FIFO queue grouped by aggregate id gives the aggregate a single writer");
            }
            return new CommandQueue<>(this);
        }
    }
}
