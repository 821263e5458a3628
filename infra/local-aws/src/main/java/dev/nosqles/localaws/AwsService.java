package dev.nosqles.localaws;

import java.util.Map;
import java.util.Optional;

/**
 * The AWS services the project talks to, with the service-specific endpoint settings the AWS SDK for Java v2 reads
 * itself when no {@code endpointOverride} is forced: an environment variable ({@code AWS_ENDPOINT_URL_<ID>}) and a
 * system property ({@code aws.endpointUrl<Id>}), the property winning (names as generated into the SDK's client
 * builders). They let one run use two emulators, e.g. DynamoDB on Dynoxide and SQS/SNS on moto.
 */
public enum AwsService {
    DYNAMODB("AWS_ENDPOINT_URL_DYNAMODB", "aws.endpointUrlDynamoDb", "dynamodb"),
    /** Streams live with their tables: without settings of its own it follows {@link #DYNAMODB}. */
    DYNAMODB_STREAMS("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "aws.endpointUrlDynamoDbStreams", "dynamodb.streams"),
    SQS("AWS_ENDPOINT_URL_SQS", "aws.endpointUrlSqs", "sqs"),
    SNS("AWS_ENDPOINT_URL_SNS", "aws.endpointUrlSns", "sns"),
    /** The key service that wraps the subject keys of personal data (ADR 0008). */
    KMS("AWS_ENDPOINT_URL_KMS", "aws.endpointUrlKms", "kms");

    private final String environmentVariable;
    private final String systemProperty;
    private final String sdkPackage;

    AwsService(String environmentVariable, String systemProperty, String sdkPackage) {
        this.environmentVariable = environmentVariable;
        this.systemProperty = systemProperty;
        this.sdkPackage = "software.amazon.awssdk.services." + sdkPackage;
    }

    /** {@code AWS_ENDPOINT_URL_<ID>}. */
    public String environmentVariable() {
        return environmentVariable;
    }

    /** {@code aws.endpointUrl<Id>}. */
    public String systemProperty() {
        return systemProperty;
    }

    /** The service an SDK v2 client builder builds a client of, by its package; empty for other services. */
    public static Optional<AwsService> ofBuilder(Object builder) {
        String pkg = builder.getClass().getPackageName();
        for (AwsService service : values()) {
            if (pkg.equals(service.sdkPackage)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    /**
     * The endpoint configured for this service alone: the system property, else the environment variable; for
     * {@link #DYNAMODB_STREAMS} without its own, the one of {@link #DYNAMODB}. Null when none is set.
     */
    public String configuredEndpoint(Map<String, String> env, Map<String, String> properties) {
        String own = firstNonBlank(properties.get(systemProperty), env.get(environmentVariable));
        if (own == null && this == DYNAMODB_STREAMS) {
            return DYNAMODB.configuredEndpoint(env, properties);
        }
        return own;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        return b != null && !b.isBlank() ? b.strip() : null;
    }
}
