package dev.nosqles.operations;

import dev.nosqles.store.EventStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The dead-letter queues of the saga channels and the on-failure queue of the stream functions: their depth, their
 * messages decoded (a peek: nothing is deleted), and a redrive that moves each message back to where it came from
 * and deletes it from the dead-letter queue only once that succeeded. A redriven message that was already applied
 * is dropped by its receiver (the framework deduplicates by message id); the redrive says so per message.
 */
public final class DeadLetterQueues {
    /** The {@code source} of the stream functions' on-failure queue. */
    public static final String STREAM_FUNCTIONS = "stream functions";
    /** The message attribute a redrive sets (ISO-8601 instant): the functions count it as DlqRedrives. */
    public static final String REDRIVEN_AT = "nosqles-redriven-at";

    private final Builder b;

    private DeadLetterQueues(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The depth of every queue, in the order they were added. */
    public List<QueueDepth> list() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Up to {@code max} messages of a queue, decoded, without their bodies. Nothing is deleted. */
    public List<DeadLetter> show(String queue, int max) {
        return show(queue, max, false);
    }

    /** Up to {@code max} messages of a queue, decoded, with their bodies if asked. Nothing is deleted. */
    public List<DeadLetter> show(String queue, int max, boolean withBody) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Moves up to {@code max} messages back to their source. */
    public RedriveReport redrive(String queue, int max) {
        return redrive(queue, max, outcome -> { });
    }

    /** Moves up to {@code max} messages back to their source, telling {@code progress} after each. */
    public RedriveReport redrive(String queue, int max, Consumer<RedriveReport.Outcome> progress) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The queues' logical ids, in the order they were added. */
    public List<String> queues() {
        return List.copyOf(b.queues.keySet());
    }

    record QueueSpec(String name, String url, String source, String sourceUrl, boolean streamFailures) {
    }

    /** Configures the queues and the clients; the SQS client and at least one queue are required. */
    public static final class Builder {
        private SqsClient sqs;
        private EventStore events;
        private DynamoDbStreamsClient streams;
        private LambdaClient lambda;
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
            queues.put(name, new QueueSpec(name, url, source, sourceUrl, false));
            return this;
        }

        /** The on-failure queue of the stream functions. */
        public Builder streamFailures(String name, String url) {
            queues.put(name, new QueueSpec(name, url, STREAM_FUNCTIONS, null, true));
            return this;
        }

        /** A saga participant's channel and the aggregate type its commands target (to check applied commands). */
        public Builder participant(String channel, String aggregateType) {
            participants.put(channel, aggregateType);
            return this;
        }

        public DeadLetterQueues build() {
            Objects.requireNonNull(sqs, "sqs");
            return new DeadLetterQueues(this);
        }
    }
}
