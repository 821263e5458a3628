package dev.nosqles.capacity;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Counts DynamoDB requests and computes the capacity units they consume from the items actually written and
 * read, by {@link CapacityUnits}' rules. Attach it to a client with
 * {@code overrideConfiguration(o -> o.addExecutionInterceptor(meter))}. Needed because local emulators report
 * constant or no consumed capacity. A failed conditional write is charged like a successful one, as DynamoDB does.
 *
 * <p>Not counted: UpdateItem and DeleteItem (their cost depends on the stored item, which the request does not
 * carry); they are counted as requests only.
 */
public final class CapacityMeter implements ExecutionInterceptor {

    /** The operations counted separately. */
    public enum Operation { PUT_ITEM, GET_ITEM, QUERY, TRANSACT_WRITE_ITEMS, BATCH_WRITE_ITEM, OTHER }

    private final Map<Operation, AtomicLong> requests = new EnumMap<>(Operation.class);
    private final AtomicLong itemsRead = new AtomicLong();
    private final AtomicLong itemsWritten = new AtomicLong();
    private final AtomicLong writeUnits = new AtomicLong();
    private final DoubleAdder readUnits = new DoubleAdder();

    public CapacityMeter() {
        for (Operation op : Operation.values()) {
            requests.put(op, new AtomicLong());
        }
    }

    /** What was counted so far. */
    public record Usage(Map<Operation, Long> requests, long itemsRead, long itemsWritten, long writeUnits,
                        double readUnits) {
        public long requests(Operation operation) {
            return requests.getOrDefault(operation, 0L);
        }

        public long totalRequests() {
            return requests.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The usage between {@code earlier} and this one. */
        public Usage minus(Usage earlier) {
            Map<Operation, Long> diff = new EnumMap<>(Operation.class);
            for (Operation op : Operation.values()) {
                diff.put(op, requests(op) - earlier.requests(op));
            }
            return new Usage(diff, itemsRead - earlier.itemsRead, itemsWritten - earlier.itemsWritten,
                    writeUnits - earlier.writeUnits, readUnits - earlier.readUnits);
        }
    }

    public Usage usage() {
        Map<Operation, Long> copy = new EnumMap<>(Operation.class);
        requests.forEach((op, n) -> copy.put(op, n.get()));
        return new Usage(copy, itemsRead.get(), itemsWritten.get(), writeUnits.get(), readUnits.sum());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        SdkResponse response = context.response();
        countWrite(request);
        if (response instanceof QueryResponse query) {
            long bytes = query.items().stream().mapToLong(ItemSize::of).sum();
            itemsRead.addAndGet(query.items().size());
            boolean consistent = request instanceof QueryRequest q && Boolean.TRUE.equals(q.consistentRead());
            readUnits.add(CapacityUnits.read(bytes, consistent));
        } else if (response instanceof GetItemResponse get) {
            long bytes = get.hasItem() ? ItemSize.of(get.item()) : 0;
            if (get.hasItem()) {
                itemsRead.incrementAndGet();
            }
            boolean consistent = request instanceof GetItemRequest g && Boolean.TRUE.equals(g.consistentRead());
            readUnits.add(CapacityUnits.read(bytes, consistent));
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        // a failed conditional write still consumes write units
        if (context.request() instanceof PutItemRequest || context.request() instanceof TransactWriteItemsRequest) {
            countWrite(context.request());
        }
    }

    private void countWrite(SdkRequest request) {
        switch (request) {
            case PutItemRequest put -> {
                requests.get(Operation.PUT_ITEM).incrementAndGet();
                itemsWritten.incrementAndGet();
                writeUnits.addAndGet(CapacityUnits.write(ItemSize.of(put.item()), false));
            }
            case TransactWriteItemsRequest tx -> {
                requests.get(Operation.TRANSACT_WRITE_ITEMS).incrementAndGet();
                for (TransactWriteItem item : tx.transactItems()) {
                    if (item.put() != null) {
                        itemsWritten.incrementAndGet();
                        writeUnits.addAndGet(CapacityUnits.write(ItemSize.of(item.put().item()), true));
                    } else if (item.conditionCheck() != null) {
                        // a condition check in a transaction costs like a 1 KB transactional write
                        writeUnits.addAndGet(CapacityUnits.write(0, true));
                    }
                }
            }
            case BatchWriteItemRequest batch -> {
                requests.get(Operation.BATCH_WRITE_ITEM).incrementAndGet();
                batch.requestItems().values().forEach(list -> list.forEach(w -> {
                    if (w.putRequest() != null) {
                        itemsWritten.incrementAndGet();
                        writeUnits.addAndGet(CapacityUnits.write(ItemSize.of(w.putRequest().item()), false));
                    }
                }));
            }
            case QueryRequest q -> requests.get(Operation.QUERY).incrementAndGet();
            case GetItemRequest g -> requests.get(Operation.GET_ITEM).incrementAndGet();
            default -> requests.get(Operation.OTHER).incrementAndGet();
        }
    }
}
