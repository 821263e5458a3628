package dev.nosqles.projection.internal;

import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.projection.Projection;
import dev.nosqles.subscription.Subscriber;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.function.LongConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The read-models table's layout and row operations (ADR 0007). One table holds every version of every read
 * model: {@code pk} = name#version#rowKey; the row's components as attributes; {@code gsi1pk}/{@code gsi1sk} and
 * {@code gsi2pk}/{@code gsi2sk} = name#version#value for the projection's first and second index.
 */
public final class ReadModelTable {
    public ReadModelTable(DynamoDbClient client, String tableName, byte[] cursorKey) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    public static void createTable(DynamoDbClient client, String tableName) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /**
     * A subscriber that feeds one version of a read model: its checkpoints are kept under {@code checkpointName};
     * each aggregate's events of a batch are projected into a buffer and written, coalesced per row, in the
     * transaction that moves that aggregate's checkpoint.
     */
    public <R extends Record> Subscriber subscriber(Projection<R> projection, int version, String checkpointName) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /**
     * One page of an index. Without a cursor it reads {@code servingVersion}; with one, the version the cursor was
     * issued for, if {@code readable} still accepts it (else the cursor is EXPIRED). The page's freshness is
     * unknown here (the registry knows it).
     */
    public <R extends Record> Page<R> query(Projection<R> projection, int servingVersion, IntPredicate readable,
                                           String index, String partition, PageRequest request) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    public <R extends Record> Optional<R> get(Projection<R> projection, int version, String key) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** Deletes every row of one version (a Scan of the table, batched deletes); reports rows deleted so far. */
    public long deleteVersion(String name, int version, LongConsumer progress) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }
}
