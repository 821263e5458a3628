package dev.nosqles.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.lambda.internal.LambdaAttributeValues;
import dev.nosqles.subscription.EventDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Lambda adapter of an {@link EventDispatcher}: decodes the events table's stream records (INSERTs with
 * NEW_IMAGE; other records are ignored), dispatches them to the subscribers and reports the first failed record
 * in {@code batchItemFailures}, so that Lambda retries from it and never re-delivers the records before it.
 * The event-source mapping must set {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 */
public class StreamSubscriptionHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    private final EventDispatcher dispatcher;
    private SnapStartPriming priming;

    public StreamSubscriptionHandler(EventDispatcher dispatcher) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
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
            return StreamsEventResponse.builder().withBatchItemFailures(List.of()).build();
        }
        String failed = records.get(result.failedIndex()).getDynamodb().getSequenceNumber();
        return StreamsEventResponse.builder().withBatchItemFailures(
                List.of(StreamsEventResponse.BatchItemFailure.builder().withItemIdentifier(failed).build())).build();
    }
}
