package dev.nosqles.localaws.faults;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS service and operation of an HTTP request, as the {@link FaultProxy} keys its rules: {@code dynamodb},
 * {@code streams}, {@code sqs}, {@code sns} (or the credential scope's service name) and the operation's name
 * ({@code PutItem}, {@code GetRecords}, {@code SendMessage}, {@code Publish}).
 *
 * @param service   lower-case service key; empty for a request that is not an AWS API call (moto's own API)
 * @param operation the operation name, empty when unknown
 */
public record AwsOperation(String service, String operation) {
    /** Not an AWS API call (e.g. moto's {@code /moto-api/}): never faulted. */
    public static final AwsOperation NONE = new AwsOperation("", "");

    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]*/[^/]*/[^/]*/([^/]+)/aws4_request");
    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([^&]*)");

    public AwsOperation {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(operation, "operation");
    }

    /**
     * Identifies a request from its headers (looked up case-insensitively) and body: {@code X-Amz-Target} for the
     * JSON protocols (DynamoDB, DynamoDB Streams, SQS), the {@code Action} form parameter for the query protocols
     * (SNS, SQS-query), and the SigV4 credential scope's service name as the service otherwise.
     */
    public static AwsOperation identify(Function<String, String> header, byte[] body) {
        String scope = scopeService(header.apply("Authorization"));
        String target = header.apply("X-Amz-Target");
        if (target != null && !target.isBlank()) {
            int dot = target.lastIndexOf('.');
            String prefix = dot < 0 ? target : target.substring(0, dot);
            String operation = dot < 0 ? "" : target.substring(dot + 1);
            return new AwsOperation(serviceOfTarget(prefix, scope), operation);
        }
        String contentType = header.apply("Content-Type");
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                && body != null) {
            Matcher action = ACTION.matcher(new String(body, StandardCharsets.UTF_8));
            if (action.find()) {
                return new AwsOperation(scope == null ? "" : scope,
                        URLDecoder.decode(action.group(1), StandardCharsets.UTF_8));
            }
        }
        return scope == null ? NONE : new AwsOperation(scope, "");
    }

    /** {@code service:Operation}, as the counters name it. */
    public String key() {
        return service + ":" + operation;
    }

    @Override
    public String toString() {
        return key();
    }

    private static String serviceOfTarget(String prefix, String scope) {
        if (prefix.startsWith("DynamoDBStreams")) {
            return "streams";
        }
        if (prefix.startsWith("DynamoDB")) {
            return "dynamodb";
        }
        if (prefix.startsWith("AmazonSQS")) {
            return "sqs";
        }
        return scope == null ? prefix.toLowerCase(Locale.ROOT) : scope;
    }

    private static String scopeService(String authorization) {
        if (authorization == null) {
            return null;
        }
        Matcher m = SCOPE.matcher(authorization);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }
}
