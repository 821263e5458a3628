package dev.nosqles.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.internal.CommitItems;
import dev.nosqles.lambda.internal.LambdaAttributeValues;
import dev.nosqles.subscription.EventDispatcher;
import java.lang.System.Logger.Level;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Lambda adapter of an {@link EventDispatcher}: decodes the events table's stream records (INSERTs with
 * NEW_IMAGE; other records are ignored), dispatches them to the subscribers and reports the first failed record
 * in {@code batchItemFailures}, so that Lambda retries from it and never re-delivers the records before it.
 * The event-source mapping must set {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 */
public class StreamSubscriptionHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final System.Logger LOG = System.getLogger(StreamSubscriptionHandler.class.getName());

    private final EventDispatcher dispatcher;
    private final Consumer<Instant> afterBatch;
    private SnapStartPriming priming;

    public StreamSubscriptionHandler(EventDispatcher dispatcher) {
        this(dispatcher, newest -> { });
    }

    /**
     * @param afterBatch told, after every batch that held commits and was handled in full, the timestamp of its
     *                   newest commit (read models record their freshness with it); a failure there is logged and
     *                   does not fail the batch
     */
    public StreamSubscriptionHandler(EventDispatcher dispatcher, Consumer<Instant> afterBatch) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.afterBatch = Objects.requireNonNull(afterBatch, "afterBatch");
    }

    /** Registers {@link #prime()} to run before a SnapStart checkpoint; call it from a Lambda's no-arg constructor. */
    protected final void enableSnapStartPriming() {
        this.priming = SnapStartPriming.register(this::prime);
    }

    /** Harmless work that warms this function: an empty batch, then the reads a dispatch makes. Writes nothing. */
    public void prime() {
        handleRequest(new DynamodbEvent(), null);
        dispatcher.prime();
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<Map<String, AttributeValue>> images = new ArrayList<>(records.size());
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            boolean insert = "INSERT".equals(record.getEventName()) && record.getDynamodb() != null
                    && record.getDynamodb().getNewImage() != null;
            images.add(insert ? LambdaAttributeValues.toSdk(record.getDynamodb().getNewImage()) : null);
        }
        EventDispatcher.Result result = dispatcher.dispatch(images);
        if (result.succeeded()) {
            newestCommit(images).ifPresent(newest -> {
                try {
                    afterBatch.accept(newest);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "after a batch: {0}", e.getClass().getName());
                }
            });
            return StreamsEventResponse.builder().withBatchItemFailures(List.of()).build();
        }
        String failed = records.get(result.failedIndex()).getDynamodb().getSequenceNumber();
        return StreamsEventResponse.builder().withBatchItemFailures(
                List.of(StreamsEventResponse.BatchItemFailure.builder().withItemIdentifier(failed).build())).build();
    }

    /** The newest commit timestamp of the batch's commit items, if it held any. */
    static Optional<Instant> newestCommit(List<Map<String, AttributeValue>> images) {
        Instant newest = null;
        for (Map<String, AttributeValue> image : images) {
            if (image == null || !image.containsKey(CommitItems.EVENTS) || image.get(CommitItems.TIMESTAMP) == null) {
                continue;
            }
            try {
                Instant ts = Instant.parse(image.get(CommitItems.TIMESTAMP).s());
                newest = newest == null || ts.isAfter(newest) ? ts : newest;
            } catch (DateTimeException | NullPointerException e) {
                // not a commit the dispatcher could read either; it reported it
            }
        }
        return Optional.ofNullable(newest);
    }
}
