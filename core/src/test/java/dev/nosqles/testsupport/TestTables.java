package dev.nosqles.testsupport;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.dynamodb.EventTables;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB for integration tests: the JVM-wide local AWS ({@link LocalAws#shared()}), a fresh table per test
 * class (moto slows down as a table grows), and a client that meters capacity units.
 */
public final class TestTables {
    private TestTables() {
    }

    /** A client on the local AWS that reports to {@code meter}. */
    public static DynamoDbClient client(CapacityMeter meter) {
        LocalAws aws = LocalAws.shared();
        return aws.configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(meter))
                .build();
    }

    /** Creates a new events table and returns its name. */
    public static String newEventsTable(DynamoDbClient client, String purpose) {
        String name = purpose + "-events-" + UUID.randomUUID().toString().substring(0, 8);
        EventTables.createEventsTable(client, name);
        return name;
    }

    /** Creates a new snapshots table and returns its name. */
    public static String newSnapshotsTable(DynamoDbClient client, String purpose) {
        String name = purpose + "-snapshots-" + UUID.randomUUID().toString().substring(0, 8);
        EventTables.createSnapshotsTable(client, name);
        return name;
    }
}
