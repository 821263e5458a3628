package dev.nosqles.cli;

import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.dynamodb.DynamoDbReadModels.RebuildOptions;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** What {@code nosqles projections} does to the read models of a {@link Target}: {@link DynamoDbReadModels}. */
interface ReadModelOperations extends AutoCloseable {
    List<ReadModelStatus> list();

    ReadModelStatus rebuild(String name, RebuildOptions options, Consumer<RebuildProgress> progress);

    ReadModelStatus switchTo(String name, int version);

    ReadModelStatus drop(String name, int version);

    @Override
    void close();

    /** Opens the operations on a target for the projections the command knows. */
    @FunctionalInterface
    interface Connector {
        /**
         * @param dropGrace how long a drop waits between marking a version DROPPING and deleting it
         *                  ({@link DynamoDbReadModels.Builder#dropGrace})
         */
        ReadModelOperations connect(Target target, List<Projection<?>> projections, Duration dropGrace);
    }

    /** {@link DynamoDbReadModels} on the target's tables, through a DynamoDB client of its own. */
    static ReadModelOperations dynamoDb(Target target, List<Projection<?>> projections, Duration dropGrace) {
        DynamoDbClient client = Clients.dynamoDb(target);
        // the command issues no page cursors; the builder wants a key all the same
        byte[] unusedCursorKey = new byte[32];
        new SecureRandom().nextBytes(unusedCursorKey);
        DynamoDbReadModels readModels = DynamoDbReadModels.builder()
                .client(client)
                .eventsTable(target.eventsTable())
                .checkpointsTable(target.checkpointsTable())
                .readModelsTable(target.readModelsTable())
                .eventStore(DynamoDbEventStore.builder().client(client).tableName(target.eventsTable()).build())
                .projections(projections)
                .cursorKey(unusedCursorKey)
                .dropGrace(dropGrace)
                .build();
        return new ReadModelOperations() {
            @Override
            public List<ReadModelStatus> list() {
                return readModels.list();
            }

            @Override
            public ReadModelStatus rebuild(String name, RebuildOptions options, Consumer<RebuildProgress> progress) {
                return readModels.rebuild(name, options, progress);
            }

            @Override
            public ReadModelStatus switchTo(String name, int version) {
                return readModels.switchTo(name, version);
            }

            @Override
            public ReadModelStatus drop(String name, int version) {
                return readModels.drop(name, version);
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }
}
