package dev.nosqles.cli;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where the command works: the AWS endpoint (empty: AWS's own for the region; a local emulator serves every service
 * on one), the region, credentials and the application's resources by the logical id template.yaml gives them: a
 * table's name, a queue's URL, a function's name.
 *
 * @param description for the output, e.g. "make run at http://127.0.0.1:40123" or "stack orders-prod"
 * @param resources logical id (as in template.yaml) to physical id (table name, queue URL, function name)
 */
public record Target(String description, Optional<URI> endpoint, Region region, AwsCredentialsProvider credentials,
                     Map<String, String> resources) {
    public Target {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(credentials, "credentials");
        resources = Map.copyOf(resources);
    }

    /**
     * The physical id of a resource.
     *
     * @throws UsageException the target does not name it (an environment target lacks its variable, a stack has
     *         no such resource)
     */
    public String resource(String logicalId) {
        String value = resources.get(logicalId);
        if (value == null || value.isBlank()) {
            String variable = TargetOptions.VARIABLES.get(logicalId);
            throw new UsageException(description + " names no " + logicalId
                    + (variable == null ? "" : " (set " + variable + ", or give --local or --stack)"));
        }
        return value;
    }

    /** A table's name by its logical id. */
    public String table(String logicalId) {
        return resource(logicalId);
    }

    /** A queue's URL by its logical id. */
    public String queueUrl(String logicalId) {
        return resource(logicalId);
    }

    public String eventsTable() {
        return table("EventsTable");
    }

    public String checkpointsTable() {
        return table("CheckpointsTable");
    }

    public String readModelsTable() {
        return table("ReadModelsTable");
    }
}
