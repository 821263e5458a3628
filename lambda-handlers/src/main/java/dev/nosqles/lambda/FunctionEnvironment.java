package dev.nosqles.lambda;

import dev.nosqles.lambda.internal.Once;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
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
 *   <li>Each client ({@link #dynamoDb()}, {@link #sqs()}, {@link #sns()}, {@link #kms()}) is built on first use, under
 *       a lock of its own (two clients may be built on two threads at once), and then shared by everything wired
 *       from this instance: on the URL-connection HTTP client (small, starts fast), in the region {@value #REGION},
 *       signing with {@link #credentials()}.</li>
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
    /** The execution role's access key id, as Lambda sets it for a function without SnapStart. */
    public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    /** The execution role's secret access key, beside {@value #ACCESS_KEY_ID}. */
    public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    /** The execution role's session token, beside {@value #ACCESS_KEY_ID}. */
    public static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";

    private static volatile FunctionEnvironment system;

    private final Function<String, String> env;
    /** The JVM's system properties ({@code System::getProperty}): only the SDK's credential property is read. */
    private final Function<String, String> properties;
    private final ConcurrentHashMap<String, Optional<String>> values = new ConcurrentHashMap<>();
    // each client (and the credentials they share) under a lock of its own, never the environment's: the API function
    // builds its KMS client on a thread of its own while the init thread builds the DynamoDB client
    // (Application.subjectKeysPrefetched)
    private final Once<DynamoDbClient> dynamoDb = new Once<>(() -> client(DynamoDbClient.builder()));
    private final Once<SqsClient> sqs = new Once<>(() -> client(SqsClient.builder()));
    private final Once<SnsClient> sns = new Once<>(() -> client(SnsClient.builder()));
    private final Once<KmsClient> kms = new Once<>(() -> client(KmsClient.builder()));
    private final Once<AwsCredentialsProvider> credentials = new Once<>(this::chooseCredentials);
    private Telemetry telemetry;

    private FunctionEnvironment(Function<String, String> env, Function<String, String> properties) {
        this.env = Objects.requireNonNull(env, "env");
        this.properties = Objects.requireNonNull(properties, "properties");
    }

    /** The process's own environment ({@code System::getenv}): one instance per process, so one set of clients. */
    public static FunctionEnvironment system() {
        FunctionEnvironment current = system;
        if (current == null) {
            synchronized (FunctionEnvironment.class) {
                current = system;
                if (current == null) {
                    current = new FunctionEnvironment(System::getenv, System::getProperty);
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
        return new FunctionEnvironment(env, System::getProperty);
    }

    /** As {@link #of(Function)}, with the system properties read through {@code properties} (tests). */
    static FunctionEnvironment of(Function<String, String> env, Function<String, String> properties) {
        return new FunctionEnvironment(env, properties);
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
    public DynamoDbClient dynamoDb() {
        return dynamoDb.get();
    }

    /** The function's SQS client, built on first use. */
    public SqsClient sqs() {
        return sqs.get();
    }

    /** The function's SNS client, built on first use. */
    public SnsClient sns() {
        return sns.get();
    }

    /** The function's KMS client, built on first use. */
    public KmsClient kms() {
        return kms.get();
    }

    /** A client of the function's region: the URL-connection HTTP client, {@link #credentials()}. */
    private <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.httpClientBuilder(UrlConnectionHttpClient.builder()).region(region())
                .credentialsProvider(credentials()).build();
    }

    /**
     * The credentials every client of this environment signs with, chosen once: what the SDK's default chain would
     * find, without building the chain when the environment holds them.
     * <ul>
     *   <li>The {@code aws.accessKeyId} system property set: the default chain, which reads it first (the local
     *       runtime points the functions at its emulator that way).</li>
     *   <li>{@value #ACCESS_KEY_ID} and {@value #SECRET_ACCESS_KEY} set (with {@value #SESSION_TOKEN} when given):
     *       those. Lambda sets them for a function without SnapStart, for the process's life. The chain would find
     *       them second, but building it (its six providers, on the first request) costs a fresh JVM some 10 ms;
     *       AWS's advice for Lambda is to name the provider.</li>
     *   <li>Otherwise the default chain: a SnapStart function has no such variables and gets its credentials from
     *       the container endpoint, which the chain reads. The reference template deploys every function with
     *       SnapStart and routes its events to the published versions, so there the chain is used; the keys serve
     *       functions without SnapStart (their own templates, {@code $LATEST}, {@code sam local}).</li>
     * </ul>
     */
    public AwsCredentialsProvider credentials() {
        return credentials.get();
    }

    private AwsCredentialsProvider chooseCredentials() {
        String key = optional(ACCESS_KEY_ID);
        String secret = optional(SECRET_ACCESS_KEY);
        if (properties.apply("aws.accessKeyId") == null && key != null && secret != null) {
            String token = optional(SESSION_TOKEN);
            return StaticCredentialsProvider.create(token == null ? AwsBasicCredentials.create(key, secret)
                    : AwsSessionCredentials.create(key, secret, token));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** The function's logs and metrics ({@link Telemetry#fromEnvironment(Function)}), built on first use. */
    public synchronized Telemetry telemetry() {
        if (telemetry == null) {
            telemetry = Telemetry.fromEnvironment(asFunction());
        }
        return telemetry;
    }
}
