package dev.nosqles.projection.dynamodb;

import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.store.EventStore;
import dev.nosqles.subscription.Subscriber;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Read models in DynamoDB (ADR 0007): rows in one read-models table, each version of each read model under its
 * own key prefix; a registry of versions and the serving one, and per-version checkpoints, in the checkpoints
 * table; full-history rebuilds by parallel Scan of the events table.
 */
public final class DynamoDbReadModels {
    private DynamoDbReadModels(Builder b) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates the read-models table with its indexes (for tests and local runs; template.yaml declares it). */
    public static void createTable(DynamoDbClient client, String tableName) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /**
     * The live feed's subscribers, for this batch: one per version of each projection that is fed (every state but
     * DROPPING), each with its own checkpoints. Reads the registry (one consistent read) and registers version 1,
     * serving, for a projection that has none.
     */
    public List<Subscriber> subscribers() {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    public List<ReadModelStatus> list() {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    public ReadModelStatus status(String name) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /**
     * Builds a new version of the read model from the whole events table, or resumes the one a crashed rebuild
     * left BUILDING; returns when it is READY (the live stream has fed it since it was registered).
     */
    public ReadModelStatus rebuild(String name, RebuildOptions options, Consumer<RebuildProgress> progress) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** Moves reads to a READY or RETIRED version in one conditional write; the serving one becomes RETIRED. */
    public ReadModelStatus switchTo(String name, int version) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** Stops feeding a version that does not serve and deletes its rows, checkpoints and progress. */
    public ReadModelStatus drop(String name, int version) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** One page of an index of the serving version (or of the version a cursor was issued for). */
    public <R extends Record> Page<R> query(Projection<R> projection, String index, String partition,
                                           PageRequest request) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** A row of the serving version. */
    public <R extends Record> Optional<R> get(Projection<R> projection, String key) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** Options of a rebuild. */
    public record RebuildOptions(int segments, int pageSize) {
        public static RebuildOptions defaults() {
            return new RebuildOptions(4, 500);
        }
    }

    /** Builds {@link DynamoDbReadModels}; validation in {@link #build()}. */
    public static final class Builder {
        DynamoDbClient client;
        String readModelsTable;
        String checkpointsTable;
        String eventsTable;
        EventStore eventStore;
        List<Projection<?>> projections = List.of();
        Clock clock = Clock.systemUTC();
        byte[] cursorKey;

        private Builder() {
        }

        public Builder client(DynamoDbClient client) {
            this.client = client;
            return this;
        }

        public Builder readModelsTable(String name) {
            this.readModelsTable = name;
            return this;
        }

        public Builder checkpointsTable(String name) {
            this.checkpointsTable = name;
            return this;
        }

        /** The events table a rebuild scans. */
        public Builder eventsTable(String name) {
            this.eventsTable = name;
            return this;
        }

        /** Reads the events a commit item skipped over (gaps), as the stream dispatcher does. */
        public Builder eventStore(EventStore store) {
            this.eventStore = store;
            return this;
        }

        public Builder projections(List<Projection<?>> projections) {
            this.projections = List.copyOf(projections);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The secret that signs page cursors (HMAC-SHA256), at least 32 bytes. */
        public Builder cursorKey(byte[] key) {
            this.cursorKey = key.clone();
            return this;
        }

        public DynamoDbReadModels build() {
            return new DynamoDbReadModels(this);
        }
    }
}
