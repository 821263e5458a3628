package dev.nosqles.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.lambda.internal.LambdaAttributeValues;
import dev.nosqles.metrics.Metric;
import dev.nosqles.subscription.EventDispatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Lambda adapter of an {@link EventDispatcher}: decodes the events table's stream records (INSERTs with
 * NEW_IMAGE; other records are ignored), dispatches them to the subscribers and reports the first failed record
 * in {@code batchItemFailures}, so that Lambda retries from it and never re-delivers the records before it.
 * The event-source mapping must set {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 *
 * <p>An entry point holds one (see {@link EventPublisherHandler}) and registers {@link #prime()} with
 * {@link SnapStartPriming} from its no-arg constructor.
 */
public final class StreamSubscriptionHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamSubscriptionHandler.class);

    private final EventDispatcher dispatcher;
    private final BiConsumer<Instant, Set<String>> afterBatch;
    private final Telemetry telemetry;

    public StreamSubscriptionHandler(EventDispatcher dispatcher) {
        this(dispatcher, (newest, types) -> { });
    }

    /**
     * @param afterBatch told, after every batch that held commits and was handled in full, the timestamp of its
     *                   newest commit and the aggregate types of its commits (read models record their freshness
     *                   with them); a failure there is logged and does not fail the batch
     */
    public StreamSubscriptionHandler(EventDispatcher dispatcher, BiConsumer<Instant, Set<String>> afterBatch) {
        this(dispatcher, afterBatch, Telemetry.fromEnvironment(name -> null));
    }

    /**
     * @param telemetry the function's logs and metrics: the dispatcher counts into its metrics, the batch's
     *                  {@code SubscriptionLag} is reported there
     */
    public StreamSubscriptionHandler(EventDispatcher dispatcher, BiConsumer<Instant, Set<String>> afterBatch,
                                     Telemetry telemetry) {
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher").withMetrics(telemetry.metrics());
        this.afterBatch = Objects.requireNonNull(afterBatch, "afterBatch");
    }

    /** How many aggregates of a batch the dispatcher handles at once ({@link EventDispatcher#withConcurrency}). */
    public int concurrency() {
        return dispatcher.concurrency();
    }

    /** Harmless work that warms this function: an empty batch, then the reads a dispatch makes. Writes nothing. */
    public void prime() {
        handleRequest(new DynamodbEvent(), null);
        dispatcher.prime();
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return telemetry.invocation(context, () -> handle(event));
    }

    private StreamsEventResponse handle(DynamodbEvent event) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<Map<String, AttributeValue>> images = new ArrayList<>(records.size());
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            boolean insert = "INSERT".equals(record.getEventName()) && record.getDynamodb() != null
                    && record.getDynamodb().getNewImage() != null;
            images.add(insert ? LambdaAttributeValues.toSdk(record.getDynamodb().getNewImage()) : null);
        }
        lag(records).ifPresent(millis -> telemetry.metrics().add(Metric.SUBSCRIPTION_LAG, millis));
        EventDispatcher.Result result = dispatcher.dispatch(images);
        if (result.succeeded()) {
            newestCommit(images).ifPresent(newest -> {
                try {
                    afterBatch.accept(newest, aggregateTypes(images));
                } catch (RuntimeException e) {
                    LOG.warn("after a batch: {}", e.toString(), e);
                }
            });
            return StreamsEventResponse.builder().withBatchItemFailures(List.of()).build();
        }
        String failed = records.get(result.failedIndex()).getDynamodb().getSequenceNumber();
        return StreamsEventResponse.builder().withBatchItemFailures(
                List.of(StreamsEventResponse.BatchItemFailure.builder().withItemIdentifier(failed).build())).build();
    }

    /** Now minus the oldest record's approximate creation time (whole seconds in DynamoDB Streams), if known. */
    private static Optional<Long> lag(List<DynamodbEvent.DynamodbStreamRecord> records) {
        long now = System.currentTimeMillis();
        Long lag = null;
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            if (record.getDynamodb() != null && record.getDynamodb().getApproximateCreationDateTime() != null) {
                long behind = Math.max(0, now - record.getDynamodb().getApproximateCreationDateTime().getTime());
                lag = lag == null ? behind : Math.max(lag, behind);
            }
        }
        return Optional.ofNullable(lag);
    }

    /** The aggregate types of the batch's readable commit items. */
    static Set<String> aggregateTypes(List<Map<String, AttributeValue>> images) {
        Set<String> types = new java.util.TreeSet<>();
        for (Map<String, AttributeValue> image : images) {
            AttributeValue id = DynamoDbStreamImages.isCommit(image)
                    ? image.get(dev.nosqles.dynamodb.EventTables.STREAM_ID_ATTRIBUTE) : null;
            if (id != null && id.s() != null) {
                try {
                    types.add(dev.nosqles.store.StreamId.parse(id.s()).type());
                } catch (RuntimeException unreadable) {
                    // not a stream id: the dispatcher reported the record
                }
            }
        }
        return Set.copyOf(types);
    }

    /** The newest commit timestamp of the batch's commit items, if it held any. */
    static Optional<Instant> newestCommit(List<Map<String, AttributeValue>> images) {
        Instant newest = null;
        for (Map<String, AttributeValue> image : images) {
            // an image that is not a readable commit: the dispatcher reported it
            Instant ts = DynamoDbStreamImages.commitTimestamp(image).orElse(null);
            if (ts != null) {
                newest = newest == null || ts.isAfter(newest) ? ts : newest;
            }
        }
        return Optional.ofNullable(newest);
    }
}
