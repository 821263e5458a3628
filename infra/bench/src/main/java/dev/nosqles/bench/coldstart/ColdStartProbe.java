package dev.nosqles.bench.coldstart;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.nosqles.app.api.ApiHandler;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Section 5's child process: a fresh JVM on the shaded Lambda jar (plus this class) that builds a handler and
 * handles one request, then prints one line {@code COLDSTART key=value ...} on stdout and exits. Only JDK and
 * shaded-jar classes are used, so the classes it loads are the function's.
 *
 * <pre>
 * ColdStartProbe api|equivalent|minimal EVENTS_TABLE SNAPSHOTS_TABLE REGION SUBJECT_KEYS_TABLE PERSONAL_DATA_KEY_ID
 *     [NAME=value ...]
 * </pre>
 * {@code api}: {@code new ApiHandler(env)} (the real wiring: {@code Application.fromEnvironment}), then one
 * {@code POST /customers} as API Gateway (payload 2.0) would deliver it (its name encrypted with a new data key:
 * the key-encryption key read and unwrapped by KMS, the new key sealed and put, ADR 0014). {@code equivalent}: the same
 * requests written by hand on the bare SDK ({@link HandWrittenCreate}), without the framework, signing as ApiHandler
 * does with the keys Lambda sets (one provider for both clients, no credentials chain). {@code minimal}: a
 * DynamoDB client on the URL-connection HTTP client and one GetItem, nothing else. The region and credentials come as
 * Lambda gives them to a function without SnapStart, in the variables {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID}
 * and {@code AWS_SECRET_ACCESS_KEY}; the endpoint from the system property {@code aws.endpointUrl}. The handler reads
 * the process's variables, the tables named on the command line and the {@code NAME=value} arguments (the other
 * variables template.yaml gives the function, {@code ColdStart.templateVariables}).
 */
public final class ColdStartProbe {
    public static final String PREFIX = "COLDSTART ";

    private ColdStartProbe() {
    }

    public static void main(String[] args) {
        long mainEntered = micros();
        if (args.length < 6) {
            System.err.println("usage: ColdStartProbe api|equivalent|minimal EVENTS_TABLE SNAPSHOTS_TABLE REGION SUBJECT_KEYS_TABLE"
                    + " PERSONAL_DATA_KEY_ID [NAME=value ...]");
            System.exit(2);
        }
        String mode = args[0];
        Map<String, String> env = new java.util.HashMap<>(Map.of("EVENTS_TABLE", args[1], "SNAPSHOTS_TABLE", args[2],
                "AWS_REGION", args[3], "SUBJECT_KEYS_TABLE", args[4], "PERSONAL_DATA_KEY_ID", args[5]));
        for (int i = 6; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("an argument after the sixth must be NAME=value, was: " + args[i]);
                System.exit(2);
            }
            env.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        long constructed;
        long responded;
        String status;
        switch (mode) {
            case "api" -> {
                // the function's environment: the process's variables (Lambda's) and the template's (the tables)
                ApiHandler handler = new ApiHandler(name -> env.containsKey(name) ? env.get(name) : System.getenv(name));
                constructed = micros();
                // with a Lambda context, as Lambda calls it (the function's logging reads it)
                APIGatewayV2HTTPResponse response = handler.handleRequest(createCustomer(), new ProbeContext());
                responded = micros();
                status = String.valueOf(response.getStatusCode());
            }
            case "minimal" -> {
                DynamoDbClient client = DynamoDbClient.builder()
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .region(Region.of(env.get("AWS_REGION")))
                        .credentialsProvider(DefaultCredentialsProvider.builder().build())
                        .build();
                constructed = micros();
                GetItemResponse response = client.getItem(b -> b.tableName(env.get("SNAPSHOTS_TABLE"))
                        .key(Map.of("streamId", AttributeValue.fromS("cold-start-" + UUID.randomUUID())))
                        .consistentRead(true));
                responded = micros();
                status = String.valueOf(response.sdkHttpResponse().statusCode());
            }
            case "equivalent" -> {
                Region region = Region.of(env.get("AWS_REGION"));
                // the keys Lambda sets, as ApiHandler signs with them: the floor is the requests, not the chain
                String token = System.getenv("AWS_SESSION_TOKEN");
                AwsCredentialsProvider credentials = StaticCredentialsProvider.create(token == null
                        ? AwsBasicCredentials.create(System.getenv("AWS_ACCESS_KEY_ID"),
                                System.getenv("AWS_SECRET_ACCESS_KEY"))
                        : AwsSessionCredentials.create(System.getenv("AWS_ACCESS_KEY_ID"),
                                System.getenv("AWS_SECRET_ACCESS_KEY"), token));
                DynamoDbClient dynamoDb = DynamoDbClient.builder()
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .region(region)
                        .credentialsProvider(credentials)
                        .build();
                KmsClient kms = KmsClient.builder()
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .region(region)
                        .credentialsProvider(credentials)
                        .build();
                constructed = micros();
                status = HandWrittenCreate.createCustomer(dynamoDb, kms, env.get("SUBJECT_KEYS_TABLE"),
                        env.get("EVENTS_TABLE"), "Cold Start", "1000.00");
                responded = micros();
            }
            default -> throw new IllegalArgumentException("mode must be api, equivalent or minimal, was " + mode);
        }
        // after the measured part: the management classes it loads are not counted in the request's path
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        // CPU of every thread of the process so far (JIT and GC included): less sensitive to other work on the
        // machine than the wall-clock times; includes the little the MXBeans above cost
        long cpuMicros = ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() / 1_000 : -1;
        System.out.println(PREFIX + "mode=" + mode + " status=" + status + " jvmStartMillis=" + jvmStart
                + " mainEnteredMicros=" + mainEntered + " constructedMicros=" + constructed
                + " respondedMicros=" + responded + " classesLoaded=" + classes + " cpuMicros=" + cpuMicros);
        System.out.flush();
        System.exit(0);
    }

    static APIGatewayV2HTTPEvent createCustomer() {
        String body = "{\"name\":\"Cold Start\",\"creditLimit\":\"1000.00\"}";
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("POST /customers")
                .withRawPath("/customers")
                .withRawQueryString("")
                .withHeaders(Map.of("content-type", "application/json", "x-correlation-id", "cold-start"))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(UUID.randomUUID().toString())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("POST").withPath("/customers").build())
                        .build())
                .build();
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The Lambda context of the probe's one invocation. */
    private static final class ProbeContext implements com.amazonaws.services.lambda.runtime.Context {
        private final String requestId = UUID.randomUUID().toString();

        @Override
        public String getAwsRequestId() {
            return requestId;
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/cold-start-probe";
        }

        @Override
        public String getLogStreamName() {
            return "probe";
        }

        @Override
        public String getFunctionName() {
            return "cold-start-probe";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:cold-start-probe";
        }

        @Override
        public com.amazonaws.services.lambda.runtime.CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public com.amazonaws.services.lambda.runtime.ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 15_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 1024;
        }

        @Override
        public com.amazonaws.services.lambda.runtime.LambdaLogger getLogger() {
            return new com.amazonaws.services.lambda.runtime.LambdaLogger() {
                @Override
                public void log(String message) {
                    System.err.println(message);
                }

                @Override
                public void log(byte[] message) {
                    System.err.write(message, 0, message.length);
                }
            };
        }
    }
}
