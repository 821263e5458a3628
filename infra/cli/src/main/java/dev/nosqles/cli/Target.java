package dev.nosqles.cli;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where the command works: the DynamoDB endpoint (empty: AWS's own for the region), the region, credentials and
 * the three tables the read models live in.
 *
 * @param description for the output, e.g. "make run at http://127.0.0.1:40123" or "stack orders-prod"
 */
public record Target(String description, Optional<URI> endpoint, Region region, AwsCredentialsProvider credentials,
                     String eventsTable, String checkpointsTable, String readModelsTable) {
    public Target {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(eventsTable, "eventsTable");
        Objects.requireNonNull(checkpointsTable, "checkpointsTable");
        Objects.requireNonNull(readModelsTable, "readModelsTable");
    }
}
