package dev.nosqles.bench;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.dynamodb.EventTables;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The backend the benchmarks talk to: a metered client (request units) and a plain one (latency, contention),
 * and a new small table per scenario (moto slows down as tables grow).
 */
public final class BenchEnv implements AutoCloseable {
    /** Commit timestamps of the unit scenarios: a fixed clock keeps item sizes, hence units, identical run to run. */
    public static final Clock FIXED_CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00.123Z"), ZoneOffset.UTC);

    private final LocalAws aws;
    private final CapacityMeter meter = new CapacityMeter();
    private final DynamoDbClient metered;
    private final DynamoDbClient plain;
    private final AtomicInteger tables = new AtomicInteger();

    public BenchEnv(LocalAws aws) {
        this.aws = aws;
        this.metered = aws.configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(meter))
                .build();
        this.plain = aws.configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    public LocalAws aws() {
        return aws;
    }

    public CapacityMeter meter() {
        return meter;
    }

    /** Reports every request to {@link #meter()}. */
    public DynamoDbClient metered() {
        return metered;
    }

    /** No interceptor: for timing. */
    public DynamoDbClient plain() {
        return plain;
    }

    public String newEventsTable(String purpose) {
        String name = tableName(purpose + "-events");
        EventTables.createEventsTable(plain, name);
        return name;
    }

    /** A table keyed by {@code streamId} alone: snapshots, and the Eventuate baseline's entities. */
    public String newKeyedTable(String purpose) {
        String name = tableName(purpose);
        EventTables.createSnapshotsTable(plain, name);
        return name;
    }

    private String tableName(String purpose) {
        return "bench-" + purpose + "-" + tables.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @Override
    public void close() {
        metered.close();
        plain.close();
    }
}
