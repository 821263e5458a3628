package dev.nosqles.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResource;

/**
 * Which application the command works on, given on any subcommand; every resource is named by its logical id in
 * template.yaml (see {@link Target}):
 * <ul>
 * <li>{@code --local}: the running {@code make run}, from the connection file it writes in its state directory
 *     ({@value #CONNECTION_FILE} in {@code NOSQLES_STATE_DIR}, else {@code .local-state} beside the
 *     {@code template.yaml} found from the working directory up): every table, queue and function;</li>
 * <li>{@code --stack NAME}: a deployed stack, every resource's physical id, an output named
 *     {@code <LogicalId>Name} winning over it;</li>
 * <li>otherwise the environment variables of {@link #VARIABLES} (as the functions see them; {@code EVENTS_TABLE},
 *     {@code CHECKPOINTS_TABLE} and {@code READ_MODELS_TABLE} required), on {@code --endpoint URL} or AWS.</li>
 * </ul>
 * Region: {@code --region}, else {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, else us-east-1. Credentials: the
 * SDK's default chain; against an endpoint with no {@code AWS_ACCESS_KEY_ID} set, dummy ones (local emulators).
 */
final class TargetOptions {
    /** The file {@code make run} writes into its state directory (dev.nosqles.runtime.LocalRuntime). */
    static final String CONNECTION_FILE = "runtime.json";
    /** The tables an environment target must name (the read-model commands need all three). */
    static final List<String> TABLES = List.of("EventsTable", "CheckpointsTable", "ReadModelsTable");
    /** Logical id to the environment variable that names it (as the functions see them). */
    static final Map<String, String> VARIABLES = Map.ofEntries(
            Map.entry("EventsTable", "EVENTS_TABLE"),
            Map.entry("CheckpointsTable", "CHECKPOINTS_TABLE"),
            Map.entry("ReadModelsTable", "READ_MODELS_TABLE"),
            Map.entry("SnapshotsTable", "SNAPSHOTS_TABLE"),
            Map.entry("SagaDeadlinesTable", "SAGA_DEADLINES_TABLE"),
            Map.entry("SubjectKeysTable", "SUBJECT_KEYS_TABLE"),
            Map.entry("CustomerCommandsQueue", "CUSTOMER_COMMANDS_QUEUE_URL"),
            Map.entry("OrderCommandsQueue", "ORDER_COMMANDS_QUEUE_URL"),
            Map.entry("SagaRepliesQueue", "SAGA_REPLIES_QUEUE_URL"),
            Map.entry("CustomerCommandsDlq", "CUSTOMER_COMMANDS_DLQ_URL"),
            Map.entry("OrderCommandsDlq", "ORDER_COMMANDS_DLQ_URL"),
            Map.entry("SagaRepliesDlq", "SAGA_REPLIES_DLQ_URL"),
            Map.entry("StreamFailuresQueue", "STREAM_FAILURES_QUEUE_URL"));

    @Option(names = "--local", scope = ScopeType.INHERIT,
            description = "The running `make run` (its state directory: NOSQLES_STATE_DIR or .local-state).")
    boolean local;

    @Option(names = "--stack", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "A deployed stack: its resources by logical id (CloudFormation DescribeStackResources; "
                    + "outputs named <LogicalId>Name win).")
    String stack;

    @Option(names = "--endpoint", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "The AWS endpoint (a local emulator); tables from EVENTS_TABLE, CHECKPOINTS_TABLE, "
                    + "READ_MODELS_TABLE unless --stack names them.")
    String endpoint;

    @Option(names = "--region", paramLabel = "REGION", scope = ScopeType.INHERIT,
            description = "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1).")
    String region;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The target these options name.
     *
     * @param env the environment ({@code System.getenv()})
     * @param workingDirectory where {@code template.yaml} is looked for (for {@code --local})
     * @throws UsageException the options contradict each other, or name what is not there
     */
    Target resolve(Map<String, String> env, Path workingDirectory) {
        if (local && (stack != null || endpoint != null)) {
            throw new UsageException("--local cannot be combined with --stack or --endpoint");
        }
        if (local) {
            return localTarget(env, workingDirectory);
        }
        Optional<URI> uri = Optional.ofNullable(endpoint).map(TargetOptions::endpointUri);
        Region chosen = region(env, null);
        AwsCredentialsProvider credentials = credentials(env, uri.isPresent());
        if (stack != null) {
            return stackTarget(uri, chosen, credentials);
        }
        List<String> missing = new ArrayList<>();
        for (String table : TABLES) {
            String value = env.get(VARIABLES.get(table));
            if (value == null || value.isBlank()) {
                missing.add(VARIABLES.get(table));
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageException("no target: give --local, --stack NAME, or set " + String.join(", ", missing));
        }
        Map<String, String> resources = new java.util.HashMap<>();
        VARIABLES.forEach((logicalId, variable) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                resources.put(logicalId, value.strip());
            }
        });
        return new Target(uri.map(u -> "endpoint " + u).orElse("AWS " + chosen.id()) + " (tables from the environment)",
                uri, chosen, credentials, resources);
    }

    private Region region(Map<String, String> env, String fallback) {
        for (String candidate : new String[] {region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"), fallback}) {
            if (candidate != null && !candidate.isBlank()) {
                return Region.of(candidate.strip());
            }
        }
        return Region.US_EAST_1;
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env, boolean localEndpoint) {
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (key != null && !key.isBlank() && secret != null && !secret.isBlank()) {
            String token = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null || token.isBlank()
                    ? AwsBasicCredentials.create(key, secret) : AwsSessionCredentials.create(key, secret, token));
        }
        if (localEndpoint && (env.get("AWS_PROFILE") == null || env.get("AWS_PROFILE").isBlank())) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static URI endpointUri(String value) {
        try {
            URI uri = new URI(value.strip());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new UsageException("--endpoint must be an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("--endpoint must be an http(s) URL");
        }
    }

    private Target stackTarget(Optional<URI> uri, Region chosen, AwsCredentialsProvider credentials) {
        try (CloudFormationClient cfn = Clients.cloudFormation(uri, chosen, credentials)) {
            Stack described;
            try {
                described = cfn.describeStacks(b -> b.stackName(stack)).stacks().get(0);
            } catch (CloudFormationException e) {
                if (e.statusCode() == 400) {
                    throw new UsageException("no stack " + stack + " in " + chosen.id());
                }
                throw e;
            }
            Map<String, String> outputs = new java.util.HashMap<>();
            for (Output o : described.outputs()) {
                outputs.put(o.outputKey(), o.outputValue());
            }
            // every resource by its physical id (a table's name, a queue's URL), outputs named <LogicalId>Name first
            Map<String, String> resources = new java.util.HashMap<>();
            for (StackResource r : cfn.describeStackResources(b -> b.stackName(stack)).stackResources()) {
                if (r.physicalResourceId() != null) {
                    resources.put(r.logicalResourceId(), r.physicalResourceId());
                }
            }
            outputs.forEach((key, value) -> {
                if (key.endsWith("Name") && key.length() > 4) {
                    resources.put(key.substring(0, key.length() - 4), value);
                }
            });
            for (String logicalId : TABLES) {
                if (!resources.containsKey(logicalId)) {
                    throw new UsageException("stack " + stack + " has no " + logicalId
                            + " (neither an output " + logicalId + "Name nor a resource)");
                }
            }
            return new Target("stack " + stack + " in " + chosen.id(), uri, chosen, credentials, resources);
        }
    }

    private Target localTarget(Map<String, String> env, Path workingDirectory) {
        Path stateDir = stateDirectory(env, workingDirectory);
        Path file = stateDir.resolve(CONNECTION_FILE);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("make run is not running (no " + file + "): start it with make run");
        }
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        long pid = json.path("pid").asLong(-1);
        if (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            throw new UsageException("make run is not running (process " + pid + " of " + file
                    + " has ended): start it with make run");
        }
        JsonNode tables = json.path("tables");
        Map<String, String> resources = new java.util.HashMap<>();
        for (String section : new String[] {"tables", "queues", "functions"}) {
            json.path(section).fields().forEachRemaining(e -> resources.put(e.getKey(), e.getValue().asText()));
        }
        if (json.hasNonNull("lambdaEndpoint")) {
            resources.put(DlqCommand.LAMBDA_ENDPOINT, json.get("lambdaEndpoint").asText()); // the Invoke API
        }
        for (String logicalId : TABLES) {
            if (tables.path(logicalId).asText(null) == null) {
                throw new UsageException(file + " names no " + logicalId
                        + ": restart make run after updating the template");
            }
        }
        URI uri = endpointUri(json.path("dynamoDbEndpoint").asText(""));
        String fileRegion = json.path("region").asText("");
        // moto keeps each region apart: the runtime's own region unless --region says otherwise
        Region chosen = region != null && !region.isBlank() ? Region.of(region.strip())
                : fileRegion.isBlank() ? Region.US_EAST_1 : Region.of(fileRegion);
        return new Target("make run at " + uri, Optional.of(uri), chosen,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), resources);
    }

    /** {@code NOSQLES_STATE_DIR}, else {@code .local-state} beside the first template.yaml from the directory up. */
    static Path stateDirectory(Map<String, String> env, Path workingDirectory) {
        String configured = env.get("NOSQLES_STATE_DIR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip()).toAbsolutePath();
        }
        for (Path dir = workingDirectory.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir.resolve(".local-state");
            }
        }
        throw new UsageException("--local: no template.yaml in " + workingDirectory.toAbsolutePath()
                + " or its parents; run from the repository or set NOSQLES_STATE_DIR");
    }
}
