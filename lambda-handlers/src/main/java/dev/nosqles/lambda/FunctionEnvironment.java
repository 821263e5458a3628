package dev.nosqles.lambda;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The one place a Lambda function reads its environment and builds its AWS clients. Every entry point wires itself
 * from one instance: its public no-arg constructor from {@link #system()} (one per process), the local runtime from
 * {@link #of(Function)} with the environment template.yaml declares for the function.
 *
 * <ul>
 *   <li>Each variable is read at most once and remembered; {@link #required(String)} throws an
 *       {@link IllegalStateException} that names a missing or blank variable (never a value).</li>
 *   <li>Each client ({@link #dynamoDb()}, {@link #sqs()}, {@link #sns()}, {@link #kms()}) is built on first use and
 *       then shared by everything wired from this instance: on the URL-connection HTTP client (small, starts fast),
 *       in the region {@value #REGION}, with the default credentials chain.</li>
 *   <li>{@link #telemetry()}: the function's logs and metrics, built once.</li>
 * </ul>
 * Thread-safe.
 */
public final class FunctionEnvironment {
    /**
     * How many aggregates or message groups of one batch a function handles at once ({@link #batchConcurrency});
     * read by the entry points that offer it (the reference application's stream function and customer command
     * function).
     */
    public static final String BATCH_CONCURRENCY = "BATCH_CONCURRENCY";
    /** The most {@value #BATCH_CONCURRENCY} takes. */
    public static final int MAX_BATCH_CONCURRENCY = 64;
    /** The region every client is built in (Lambda sets it). */
    public static final String REGION = "AWS_REGION";

    private static volatile FunctionEnvironment system;

    private final Function<String, String> env;
    private final ConcurrentHashMap<String, Optional<String>> values = new ConcurrentHashMap<>();
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private SnsClient sns;
    private KmsClient kms;
    private Telemetry telemetry;

    private FunctionEnvironment(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /** The process's own environment ({@code System::getenv}): one instance per process, so one set of clients. */
    public static FunctionEnvironment system() {
        FunctionEnvironment current = system;
        if (current == null) {
            synchronized (FunctionEnvironment.class) {
                current = system;
                if (current == null) {
                    current = new FunctionEnvironment(System::getenv);
                    system = current;
                }
            }
        }
        return current;
    }

    /**
     * An environment read through {@code env} (the local runtime's per-function variables, tests): its own clients.
     *
     * @param env reads an environment variable; null when it is not set
     */
    public static FunctionEnvironment of(Function<String, String> env) {
        return new FunctionEnvironment(env);
    }

    /**
     * A variable that must be set.
     *
     * @throws IllegalStateException it is missing or blank (the message names the variable)
     */
    public String required(String name) {
        String value = optional(name);
        if (value == null) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    /** A variable, or null when it is missing or blank. */
    public String optional(String name) {
        return values.computeIfAbsent(Objects.requireNonNull(name, "name"), n -> {
            String value = env.apply(n);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
        }).orElse(null);
    }

    /**
     * {@value #BATCH_CONCURRENCY}: how many aggregates of a stream batch, or message groups of a queue batch, the
     * function handles at once (ADR 0019); unset, 1 (one after another).
     *
     * @throws IllegalArgumentException not a whole number from 1 to 64: names the variable, never its value
     */
    public int batchConcurrency() {
        return wholeNumber(BATCH_CONCURRENCY, 1, MAX_BATCH_CONCURRENCY, 1);
    }

    /**
     * A variable holding a whole number from {@code min} to {@code max}; {@code absent} when it is missing or blank.
     *
     * @throws IllegalArgumentException not such a number: names the variable, never its value
     */
    public int wholeNumber(String name, int min, int max, int absent) {
        String value = optional(name);
        if (value == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max);
    }

    /** Whether the variable is set (and not blank). */
    public boolean isSet(String name) {
        return optional(name) != null;
    }

    /** This environment as a function (what {@link Telemetry#fromEnvironment(Function)} and the like take). */
    public Function<String, String> asFunction() {
        return this::optional;
    }

    /**
     * The region of {@value #REGION}.
     *
     * @throws IllegalStateException {@value #REGION} is not set
     */
    public Region region() {
        return Region.of(required(REGION));
    }

    /** The function's DynamoDB client, built on first use. */
    public synchronized DynamoDbClient dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = client(DynamoDbClient.builder());
        }
        return dynamoDb;
    }

    /** The function's SQS client, built on first use. */
    public synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = client(SqsClient.builder());
        }
        return sqs;
    }

    /** The function's SNS client, built on first use. */
    public synchronized SnsClient sns() {
        if (sns == null) {
            sns = client(SnsClient.builder());
        }
        return sns;
    }

    /** The function's KMS client, built on first use. */
    public synchronized KmsClient kms() {
        if (kms == null) {
            kms = client(KmsClient.builder());
        }
        return kms;
    }

    /** A client of the function's region: the URL-connection HTTP client, the default credentials chain. */
    private <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.httpClientBuilder(UrlConnectionHttpClient.builder()).region(region())
                .credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
    }

    /** The function's logs and metrics ({@link Telemetry#fromEnvironment(Function)}), built on first use. */
    public synchronized Telemetry telemetry() {
        if (telemetry == null) {
            telemetry = Telemetry.fromEnvironment(asFunction());
        }
        return telemetry;
    }
}
