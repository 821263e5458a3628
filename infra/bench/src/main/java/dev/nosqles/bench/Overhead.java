package dev.nosqles.bench;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Section 2: the framework's latency against hand-written SDK calls doing the same DynamoDB work, on the same
 * endpoint and client, interleaved (the order alternates each round) after a warm-up.
 */
public final class Overhead {
    public static final String APPEND = "append (1 event, 200 B)";
    public static final String READ = "store read (20 events)";
    public static final String LOAD = "repository get (20 events)";
    public static final String BARE_PUT = "bare conditional PutItem";
    public static final String BARE_QUERY = "bare Query";

    private Overhead() {
    }

    /** @param warmup rounds before measuring @param samples measured rounds */
    public record Config(int warmup, int samples, int loadEvents) {
        public static Config full() {
            return new Config(100, 400, 20);
        }
    }

    /** One comparison: ours against the bare SDK, and the ratios ours/bare. */
    public record Comparison(String operation, String baseline, Latencies ours, Latencies bare, double ratioP50,
                             double ratioP99) {
        static Comparison of(String operation, String baseline, Latencies ours, Latencies bare) {
            return new Comparison(operation, baseline, ours, bare, ours.p50Ms() / bare.p50Ms(),
                    ours.p99Ms() / bare.p99Ms());
        }
    }

    public static List<Comparison> run(BenchEnv env, Config config) {
        List<Comparison> out = new ArrayList<>();
        out.add(append(env, config));
        out.addAll(load(env, config));
        return out;
    }

    private static Comparison append(BenchEnv env, Config config) {
        DynamoDbClient client = env.plain();
        String table = env.newEventsTable("overhead-append");
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(client).tableName(table).build();
        StreamId oursStream = StreamId.of(Ledger.TYPE, "ours");
        StreamId bareStream = StreamId.of(Ledger.TYPE, "bare");
        EventMetadata meta = Payloads.metadata();
        ExpectedVersion expected = store.append(oursStream, ExpectedVersion.noStream(),
                List.of(Payloads.opened("ann")), meta).nextExpectedVersion();
        long bareVersion = 0;
        bareVersion = barePut(client, table, bareStream, bareVersion, Payloads.opened("ann"), meta);

        int rounds = config.warmup() + config.samples();
        long[] ours = new long[config.samples()];
        long[] bare = new long[config.samples()];
        for (int i = 0; i < rounds; i++) {
            NewEvent event = Payloads.codec().encode(UUID.randomUUID(), Payloads.deposit(i + 1, 200));
            long oursNanos;
            long bareNanos;
            if (i % 2 == 0) {
                long t0 = System.nanoTime();
                expected = store.append(oursStream, expected, List.of(event), meta).nextExpectedVersion();
                long t1 = System.nanoTime();
                bareVersion = barePut(client, table, bareStream, bareVersion, event, meta);
                long t2 = System.nanoTime();
                oursNanos = t1 - t0;
                bareNanos = t2 - t1;
            } else {
                long t0 = System.nanoTime();
                bareVersion = barePut(client, table, bareStream, bareVersion, event, meta);
                long t1 = System.nanoTime();
                expected = store.append(oursStream, expected, List.of(event), meta).nextExpectedVersion();
                long t2 = System.nanoTime();
                bareNanos = t1 - t0;
                oursNanos = t2 - t1;
            }
            if (i >= config.warmup()) {
                ours[i - config.warmup()] = oursNanos;
                bare[i - config.warmup()] = bareNanos;
            }
        }
        return Comparison.of(APPEND, BARE_PUT, Latencies.of(APPEND, "nosql-es", ours),
                Latencies.of(APPEND, BARE_PUT, bare));
    }

    /** The same item our store writes, built and written by hand: one conditional PutItem. */
    private static long barePut(DynamoDbClient client, String table, StreamId stream, long after, NewEvent event,
                                EventMetadata meta) {
        long version = after + 1;
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("streamId", AttributeValue.fromS(stream.value()));
        item.put("version", AttributeValue.fromN(Long.toString(version)));
        item.put("lastVersion", AttributeValue.fromN(Long.toString(version)));
        item.put("ts", AttributeValue.fromS(Instant.now().toString()));
        item.put("meta", AttributeValue.fromM(Map.of("corr", AttributeValue.fromS(meta.correlationId()),
                "caus", AttributeValue.fromS(meta.causationId()), "msg", AttributeValue.fromS(meta.messageId()),
                "who", AttributeValue.fromS(meta.principal()))));
        item.put("events", AttributeValue.fromL(List.of(AttributeValue.fromM(Map.of(
                "id", AttributeValue.fromS(event.eventId().toString()),
                "type", AttributeValue.fromS(event.type()),
                "schema", AttributeValue.fromN(Integer.toString(event.schemaVersion())),
                "data", AttributeValue.fromS(event.data()))))));
        client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#s)")
                .expressionAttributeNames(Map.of("#s", "streamId")));
        return version;
    }

    private static List<Comparison> load(BenchEnv env, Config config) {
        DynamoDbClient client = env.plain();
        String table = env.newEventsTable("overhead-load");
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(client).tableName(table).build();
        AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> repo = AggregateRepository
                .builder(new Ledger()).eventStore(store).build();
        repo.create("load", new Ledger.Open("ann"));
        for (int i = 2; i <= config.loadEvents(); i++) {
            repo.update("load", new Ledger.Deposit(i, Payloads.deposit(i, 200).memo()));
        }
        StreamId stream = repo.streamId("load");
        QueryRequest bareQuery = QueryRequest.builder().tableName(table).consistentRead(true)
                .keyConditionExpression("#s = :s AND #v >= :from")
                .expressionAttributeNames(Map.of("#s", "streamId", "#v", "version"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(stream.value()),
                        ":from", AttributeValue.fromN("1")))
                .build();

        int rounds = config.warmup() + config.samples();
        long[][] samples = new long[3][config.samples()];
        Runnable[] ops = {
            () -> bareQuery(client, bareQuery, config.loadEvents()),
            () -> store.read(stream),
            () -> repo.get("load"),
        };
        for (int i = 0; i < rounds; i++) {
            for (int k = 0; k < 3; k++) {
                int op = (i + k) % 3; // rotate the order every round
                long t0 = System.nanoTime();
                ops[op].run();
                long t1 = System.nanoTime();
                if (i >= config.warmup()) {
                    samples[op][i - config.warmup()] = t1 - t0;
                }
            }
        }
        Latencies bare = Latencies.of(BARE_QUERY, BARE_QUERY, samples[0]);
        return List.of(
                Comparison.of(READ, BARE_QUERY, Latencies.of(READ, "nosql-es", samples[1]), bare),
                Comparison.of(LOAD, BARE_QUERY, Latencies.of(LOAD, "nosql-es", samples[2]), bare));
    }

    /** A consistent Query of the whole stream, every page, no decoding. */
    private static void bareQuery(DynamoDbClient client, QueryRequest request, int expectedItems) {
        int items = 0;
        QueryRequest next = request;
        while (true) {
            QueryResponse page = client.query(next);
            items += page.count();
            if (!page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()) {
                break;
            }
            next = request.toBuilder().exclusiveStartKey(page.lastEvaluatedKey()).build();
        }
        if (items != expectedItems) {
            throw new IllegalStateException("bare Query returned " + items + " items, expected " + expectedItems);
        }
    }
}
