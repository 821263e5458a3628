package dev.nosqles.bench;

import dev.nosqles.capacity.CapacityUnits;
import dev.nosqles.capacity.ItemSize;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sns.model.PublishBatchRequest;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Counts what every AWS client in this JVM asks for while a {@link Recording} is open: DynamoDB requests and the
 * request units they consume per table, SQS requests per queue, SNS publishes per topic, DynamoDB Streams reads.
 * Registered for every client the JVM builds (the runtime's, the handlers' and the pollers') by the SDK's global
 * interceptor file {@code software/amazon/awssdk/global/handlers/execution.interceptors} of this module; it does
 * nothing while no recording is open.
 *
 * <p>Units are computed by {@link CapacityUnits}' rules from the items really written and read, because local
 * emulators report a constant ConsumedCapacity. A write is charged by the larger of the item before and after it
 * (DynamoDB's rule), so the recording reads the stored item before each write and after each update with its own
 * client (not counted); a global secondary index whose keys the item has is charged like a write of the item
 * (projection ALL), twice when the write moves the item to another index key. A failed conditional write is
 * charged like the write it attempted.
 */
public final class BillMeter implements ExecutionInterceptor {
    private static volatile Recording current;
    private static final ThreadLocal<Boolean> INSPECTING = ThreadLocal.withInitial(() -> false);

    /** Public for the SDK's classpath loader. */
    public BillMeter() {
    }

    /**
     * Opens a recording; one at a time per JVM.
     *
     * @param inspector reads stored items and table descriptions (not counted)
     * @param labels    physical name (table name, queue URL, topic ARN) to the name shown (logical id)
     */
    public static synchronized Recording start(DynamoDbClient inspector, Map<String, String> labels) {
        if (current != null) {
            throw new IllegalStateException("a bill recording is already open");
        }
        Recording r = new Recording(inspector, labels);
        current = r;
        return r;
    }

    /** One counter. {@code units} is 0 for a request count. */
    public record Line(String function, String service, String resource, String what) implements Comparable<Line> {
        @Override
        public int compareTo(Line o) {
            return key().compareTo(o.key());
        }

        private String key() {
            return service + "|" + resource + "|" + what + "|" + function;
        }
    }

    /** What a recording counted; {@code counts}: requests, units (DynamoDB "WRU"/"RRU" lines) or messages. */
    public record Counts(Map<Line, Double> counts) {
        /** The sum over every function of one counter. */
        public double get(String service, String resource, String what) {
            return counts.entrySet().stream().filter(e -> e.getKey().service().equals(service)
                    && e.getKey().resource().equals(resource) && e.getKey().what().equals(what))
                    .mapToDouble(Map.Entry::getValue).sum();
        }

        /** The counters with the function left out (summed over functions). */
        public Map<Line, Double> byResource() {
            Map<Line, Double> sum = new TreeMap<>();
            counts.forEach((k, v) -> sum.merge(new Line("", k.service(), k.resource(), k.what()), v, Double::sum));
            return sum;
        }

        /** The sum over every line of {@code service} whose {@code what} is {@code what}. */
        public double total(String service, String what) {
            return counts.entrySet().stream().filter(e -> e.getKey().service().equals(service)
                    && e.getKey().what().equals(what)).mapToDouble(Map.Entry::getValue).sum();
        }

        public Counts minus(Counts earlier) {
            Map<Line, Double> diff = new TreeMap<>(counts);
            earlier.counts.forEach((k, v) -> diff.merge(k, -v, Double::sum));
            diff.values().removeIf(v -> Math.abs(v) < 1e-9);
            return new Counts(diff);
        }

        public Counts plus(Counts other) {
            Map<Line, Double> sum = new TreeMap<>(counts);
            other.counts.forEach((k, v) -> sum.merge(k, v, Double::sum));
            return new Counts(sum);
        }
    }

    /** An open recording: counts until closed. */
    public static final class Recording implements AutoCloseable {
        private final DynamoDbClient inspector;
        private final Map<String, String> labels;
        private final Map<Line, Double> counts = new TreeMap<>();
        private final Map<String, TableKeys> tables = new HashMap<>();

        private Recording(DynamoDbClient inspector, Map<String, String> labels) {
            this.inspector = Objects.requireNonNull(inspector, "inspector");
            this.labels = Map.copyOf(labels);
        }

        /** A copy of everything counted so far. */
        public synchronized Counts counts() {
            return new Counts(new TreeMap<>(counts));
        }

        private volatile String function = "-";
        private final List<Delayed> delayed = new ArrayList<>();
        private volatile String parking;

        /**
         * From now on, a message sent with a delay is counted as sent to its queue but goes to {@code queueUrl}
         * instead, so that it cannot arrive in a later window (see {@link #takeDelayed()}).
         */
        public void parkDelayedIn(String queueUrl) {
            this.parking = queueUrl;
        }

        /** The messages sent with a delay since the last call (they arrive after the caller's window), cleared. */
        public synchronized List<Delayed> takeDelayed() {
            List<Delayed> taken = List.copyOf(delayed);
            delayed.clear();
            return taken;
        }

        /**
         * Names the function whose requests follow (until the next call), for the per-function attribution. The
         * local runtime runs one invocation at a time when its pollers are drained by the caller.
         */
        public void function(String name) {
            this.function = name == null ? "-" : name;
        }

        /** Adds a count made outside the SDK (Lambda invocations). */
        public synchronized void add(String service, String resource, String what, double amount) {
            counts.merge(new Line(function, service, resource, what), amount, Double::sum);
        }

        @Override
        public void close() {
            synchronized (BillMeter.class) {
                if (current == this) {
                    current = null;
                }
            }
        }

        private String label(String physical) {
            if (physical == null) {
                return "?";
            }
            String l = labels.get(physical);
            return l != null ? l : physical;
        }

        private synchronized TableKeys keys(String table) {
            return tables.computeIfAbsent(table, t -> inspect(() -> {
                TableDescription d = inspector.describeTable(b -> b.tableName(t)).table();
                List<String> key = keyNames(d.keySchema());
                List<List<String>> indexes = new ArrayList<>();
                if (d.hasGlobalSecondaryIndexes()) {
                    d.globalSecondaryIndexes().forEach(i -> indexes.add(keyNames(i.keySchema())));
                }
                return new TableKeys(key, indexes);
            }));
        }

        private Map<String, AttributeValue> stored(String table, Map<String, AttributeValue> itemOrKey) {
            TableKeys k = keys(table);
            Map<String, AttributeValue> key = new LinkedHashMap<>();
            for (String name : k.key()) {
                AttributeValue v = itemOrKey.get(name);
                if (v == null) {
                    return Map.of();
                }
                key.put(name, v);
            }
            return inspect(() -> {
                GetItemResponse r = inspector.getItem(b -> b.tableName(table).key(key).consistentRead(true));
                return r.hasItem() ? r.item() : Map.of();
            });
        }

        /** Charges one write of {@code before} → {@code after} (empty = absent) on the table and its indexes. */
        private void chargeWrite(String table, Map<String, AttributeValue> before, Map<String, AttributeValue> after,
                                 boolean transactional) {
            chargeWrite(table, before, after, transactional, true);
        }

        /** A failed (conditional) write's units go to a line of their own: "WRU (failed writes)". */
        private void chargeWrite(String table, Map<String, AttributeValue> before, Map<String, AttributeValue> after,
                                 boolean transactional, boolean succeeded) {
            String t = label(table);
            long size = Math.max(ItemSize.of(before), ItemSize.of(after));
            add("DynamoDB", t, succeeded ? "WRU" : "WRU (failed writes)", CapacityUnits.write(size, transactional));
            // a failed write changes no index
            List<List<String>> indexes = succeeded ? keys(table).indexes() : List.of();
            for (List<String> index : indexes) {
                boolean was = before.keySet().containsAll(index);
                boolean is = after.keySet().containsAll(index);
                boolean moved = was && is && index.stream().anyMatch(a -> !before.get(a).equals(after.get(a)));
                long units = 0;
                if (moved) {
                    units = CapacityUnits.write(ItemSize.of(before), false) + CapacityUnits.write(ItemSize.of(after), false);
                } else if (was && is) {
                    units = before.equals(after) ? 0 : CapacityUnits.write(size, false);
                } else if (was) {
                    units = CapacityUnits.write(ItemSize.of(before), false);
                } else if (is) {
                    units = CapacityUnits.write(ItemSize.of(after), false);
                }
                if (units > 0) {
                    add("DynamoDB", t, "WRU (indexes)", units);
                }
            }
        }

        private void chargeRead(String table, long bytes, boolean consistent) {
            add("DynamoDB", label(table), "RRU", CapacityUnits.read(bytes, consistent));
        }

        private void request(String service, String resource, String what) {
            add(service, label(resource), what, 1);
        }
    }

    /** Started before the recording opened: nothing was read before the write. */
    private static final class NoBefore extends HashMap<String, Object> {
        @Override
        public Object get(Object key) {
            return Map.of();
        }
    }

    /** A message sent with {@code DelaySeconds} > 0. */
    public record Delayed(String queueUrl, String body, int delaySeconds) {
    }

    /** Runs {@code call} without counting its requests (the caller's own bookkeeping). */
    public static <T> T uncounted(java.util.function.Supplier<T> call) {
        return inspect(call);
    }

    private record TableKeys(List<String> key, List<List<String>> indexes) {
    }

    /** Attribute names of a key schema, hash first. */
    private static List<String> keyNames(List<KeySchemaElement> schema) {
        List<String> names = new ArrayList<>();
        schema.stream().filter(e -> e.keyType() == KeyType.HASH).forEach(e -> names.add(e.attributeName()));
        schema.stream().filter(e -> e.keyType() == KeyType.RANGE).forEach(e -> names.add(e.attributeName()));
        return names;
    }

    private static <T> T inspect(java.util.function.Supplier<T> call) {
        boolean outer = INSPECTING.get();
        INSPECTING.set(true);
        try {
            return call.get();
        } finally {
            INSPECTING.set(outer);
        }
    }

    // ---- the interceptor -----------------------------------------------------------------------------------

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Map<String, Object>> BEFORE =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("nosqles.bill.before");

    private static Recording active() {
        Recording r = current;
        return r == null || INSPECTING.get() ? null : r;
    }

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<String> PARKED_FROM =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("nosqles.bill.parkedFrom");

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        Recording r = active();
        if (r != null && r.parking != null && context.request() instanceof SendMessageRequest s
                && s.delaySeconds() != null && s.delaySeconds() > 0) {
            attributes.putAttribute(PARKED_FROM, s.queueUrl());
            return s.toBuilder().queueUrl(r.parking).build();
        }
        return context.request();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Recording r = active();
        if (r == null) {
            return;
        }
        // the stored items a write replaces, read before it happens
        Map<String, Object> before = new HashMap<>();
        switch (context.request()) {
            case PutItemRequest p -> before.put("0", r.stored(p.tableName(), p.item()));
            case UpdateItemRequest u -> before.put("0", r.stored(u.tableName(), u.key()));
            case DeleteItemRequest d -> before.put("0", r.stored(d.tableName(), d.key()));
            case TransactWriteItemsRequest tx -> {
                int i = 0;
                for (TransactWriteItem item : tx.transactItems()) {
                    before.put(String.valueOf(i++), storedOf(r, item));
                }
            }
            case BatchWriteItemRequest batch -> batch.requestItems().forEach((table, writes) -> {
                for (int i = 0; i < writes.size(); i++) {
                    var w = writes.get(i);
                    before.put(table + "#" + i, r.stored(table,
                            w.putRequest() != null ? w.putRequest().item() : w.deleteRequest().key()));
                }
            });
            default -> {
                return;
            }
        }
        attributes.putAttribute(BEFORE, before);
    }

    private static Map<String, AttributeValue> storedOf(Recording r, TransactWriteItem item) {
        if (item.put() != null) {
            return r.stored(item.put().tableName(), item.put().item());
        } else if (item.update() != null) {
            return r.stored(item.update().tableName(), item.update().key());
        } else if (item.delete() != null) {
            return r.stored(item.delete().tableName(), item.delete().key());
        }
        return r.stored(item.conditionCheck().tableName(), item.conditionCheck().key());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Recording r = active();
        if (r != null) {
            synchronized (r) {
                count(r, context.request(), context.response(), attributes, true);
            }
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Recording r = active();
        if (r != null) {
            synchronized (r) {
                count(r, context.request(), null, attributes, false);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void count(Recording r, SdkRequest request, SdkResponse response, ExecutionAttributes attributes,
                              boolean succeeded) {
        Map<String, Object> recorded = attributes.getAttribute(BEFORE);
        Map<String, Object> before = recorded == null ? new NoBefore() : recorded;
        String outcome = succeeded ? "" : " (failed)";
        switch (request) {
            case PutItemRequest p -> {
                r.request("DynamoDB", p.tableName(), "PutItem" + outcome);
                Map<String, AttributeValue> old = (Map<String, AttributeValue>) before.get("0");
                r.chargeWrite(p.tableName(), old, succeeded ? p.item() : old.isEmpty() ? p.item() : old, false,
                        succeeded);
            }
            case UpdateItemRequest u -> {
                r.request("DynamoDB", u.tableName(), "UpdateItem" + outcome);
                Map<String, AttributeValue> old = (Map<String, AttributeValue>) before.get("0");
                r.chargeWrite(u.tableName(), old, succeeded ? r.stored(u.tableName(), u.key()) : old, false, succeeded);
            }
            case DeleteItemRequest d -> {
                r.request("DynamoDB", d.tableName(), "DeleteItem" + outcome);
                Map<String, AttributeValue> old = (Map<String, AttributeValue>) before.get("0");
                r.chargeWrite(d.tableName(), old, succeeded ? Map.of() : old, false, succeeded);
            }
            case TransactWriteItemsRequest tx -> {
                List<TransactWriteItem> items = tx.transactItems();
                r.request("DynamoDB", tableOf(items.getFirst()), "TransactWriteItems" + outcome);
                for (int i = 0; i < items.size(); i++) {
                    TransactWriteItem item = items.get(i);
                    Map<String, AttributeValue> old = (Map<String, AttributeValue>) before.get(String.valueOf(i));
                    String table = tableOf(item);
                    Map<String, AttributeValue> after;
                    if (!succeeded || item.conditionCheck() != null) {
                        after = item.put() != null && old.isEmpty() ? item.put().item() : old;
                    } else if (item.put() != null) {
                        after = item.put().item();
                    } else if (item.update() != null) {
                        after = r.stored(table, item.update().key());
                    } else {
                        after = Map.of();
                    }
                    if (item.conditionCheck() != null) {
                        r.add("DynamoDB", r.label(table), succeeded ? "WRU" : "WRU (failed writes)",
                                CapacityUnits.write(ItemSize.of(old), true));
                    } else {
                        r.chargeWrite(table, old, after, true, succeeded);
                    }
                }
            }
            case BatchWriteItemRequest batch -> {
                batch.requestItems().forEach((table, writes) -> {
                    r.request("DynamoDB", table, "BatchWriteItem" + outcome);
                    for (int i = 0; i < writes.size(); i++) {
                        var w = writes.get(i);
                        Map<String, AttributeValue> old = (Map<String, AttributeValue>) before.get(table + "#" + i);
                        r.chargeWrite(table, old, w.putRequest() != null ? w.putRequest().item() : Map.of(), false,
                                succeeded);
                    }
                });
            }
            case GetItemRequest g -> {
                r.request("DynamoDB", g.tableName(), "GetItem" + outcome);
                long bytes = response instanceof GetItemResponse get && get.hasItem() ? ItemSize.of(get.item()) : 0;
                r.chargeRead(g.tableName(), bytes, Boolean.TRUE.equals(g.consistentRead()));
            }
            case QueryRequest q -> {
                r.request("DynamoDB", q.tableName(), "Query" + outcome);
                long bytes = response instanceof QueryResponse qr
                        ? qr.items().stream().mapToLong(ItemSize::of).sum() : 0;
                r.chargeRead(q.tableName(), bytes, Boolean.TRUE.equals(q.consistentRead()));
            }
            case ScanRequest s -> {
                r.request("DynamoDB", s.tableName(), "Scan" + outcome);
                long bytes = response instanceof ScanResponse sr
                        ? sr.items().stream().mapToLong(ItemSize::of).sum() : 0;
                r.chargeRead(s.tableName(), bytes, Boolean.TRUE.equals(s.consistentRead()));
            }
            case BatchGetItemRequest b -> {
                b.requestItems().keySet().forEach(t -> r.request("DynamoDB", t, "BatchGetItem" + outcome));
                if (response instanceof BatchGetItemResponse br) {
                    br.responses().forEach((t, items) -> {
                        boolean consistent = Boolean.TRUE.equals(b.requestItems().get(t).consistentRead());
                        items.forEach(item -> r.chargeRead(t, ItemSize.of(item), consistent));
                    });
                }
            }
            case SendMessageRequest s -> {
                String parkedFrom = attributes.getAttribute(PARKED_FROM);
                String queue = parkedFrom != null ? parkedFrom : s.queueUrl();
                r.request("SQS", queue, "SendMessage" + outcome);
                if (succeeded && s.delaySeconds() != null && s.delaySeconds() > 0) {
                    r.delayed.add(new Delayed(queue, s.messageBody(), s.delaySeconds()));
                }
            }
            case SendMessageBatchRequest s -> r.request("SQS", s.queueUrl(), "SendMessageBatch" + outcome);
            case ReceiveMessageRequest rm -> {
                boolean empty = !(response instanceof ReceiveMessageResponse rr) || !rr.hasMessages()
                        || rr.messages().isEmpty();
                r.request("SQS", rm.queueUrl(), (empty ? "ReceiveMessage (empty)" : "ReceiveMessage") + outcome);
                if (!empty) {
                    r.add("SQS", r.label(rm.queueUrl()), "messages received",
                            ((ReceiveMessageResponse) response).messages().size());
                }
            }
            case DeleteMessageRequest d -> r.request("SQS", d.queueUrl(), "DeleteMessage" + outcome);
            case DeleteMessageBatchRequest d -> r.request("SQS", d.queueUrl(), "DeleteMessageBatch" + outcome);
            case PublishRequest p -> r.request("SNS", p.topicArn(), "Publish" + outcome);
            case PublishBatchRequest p -> r.request("SNS", p.topicArn(), "PublishBatch" + outcome);
            default -> {
                // any other operation: counted as a request on its resource (an SQS or SNS request is billed)
                String pkg = request.getClass().getPackageName();
                String name = request.getClass().getSimpleName().replaceFirst("Request$", "");
                boolean streams = Set.of("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams")
                        .contains(name);
                String service = streams ? "DynamoDB Streams" : pkg.contains(".dynamodb.") ? "DynamoDB"
                        : pkg.contains(".sqs.") ? "SQS" : pkg.contains(".sns.") ? "SNS"
                        : pkg.substring(pkg.lastIndexOf(".services.") + 10).replace(".model", "");
                String resource = streams ? "-" : request.getValueForField("TableName", String.class)
                        .or(() -> request.getValueForField("QueueUrl", String.class))
                        .or(() -> request.getValueForField("TopicArn", String.class))
                        .orElse("-");
                r.request(service, resource, name + outcome);
            }
        }
    }

    private static String tableOf(TransactWriteItem item) {
        if (item.put() != null) {
            return item.put().tableName();
        } else if (item.update() != null) {
            return item.update().tableName();
        } else if (item.delete() != null) {
            return item.delete().tableName();
        }
        return item.conditionCheck().tableName();
    }
}
