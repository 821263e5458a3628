package dev.nosqles.runtime;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.runtime.esm.internal.LocalContext;
import dev.nosqles.runtime.esm.internal.StreamEventJson;
import dev.nosqles.runtime.http.ApiRoute;
import dev.nosqles.runtime.internal.Handlers;
import dev.nosqles.runtime.internal.InvocationLog;
import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.Template;
import java.util.function.Consumer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Lambda Invoke API of the local runtime, as {@code sam local start-lambda} serves it:
 * {@code POST /2015-03-31/functions/{name}/invocations} on the runtime's port, so that the AWS SDK's Lambda client
 * with {@code endpointOverride} = the runtime's URL invokes a function of the template by its logical id. The
 * operator's redrive of a failed stream batch ({@code nosqles dlq redrive StreamFailuresQueue}) uses it.
 *
 * <p>Stream functions only (the payload is a DynamoDB stream event); synchronous invocations
 * (RequestResponse, the default). Answers as Lambda does: 200 with the function's response as JSON; a function
 * that throws: 200 with {@code X-Amz-Function-Error: Unhandled} and {@code {errorMessage, errorType}}; an
 * unknown function: 404 {@code ResourceNotFoundException}; a payload that is not a stream event or a function that
 * takes other events: 400 {@code InvalidRequestContentException}. The request body is bounded by the HTTP
 * server's limit (1 MiB by default; Lambda allows 6 MB).
 */
public final class LambdaInvokeApi {
    /** The route's path template. */
    public static final String PATH = "/2015-03-31/functions/{name}/invocations";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A function that can be invoked.
     *
     * @param name its name (the template's logical id locally)
     * @param streamHandler its handler of stream events; null for a function that takes other events
     * @param timeout its timeout (the handler's context counts down from it)
     */
    public record Function(String name, RequestHandler<DynamodbEvent, Object> streamHandler, Duration timeout) {
        public Function {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final String region;
    private final Clock clock;

    public LambdaInvokeApi(List<Function> functions, String region, Clock clock) {
        functions.forEach(f -> this.functions.put(f.name(), f));
        this.region = Objects.requireNonNull(region, "region");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Every function of the template; those with a stream event take invocations (their handler logs each one as
     * the event source mapping's invocations are logged, under the event name {@code Invoke}).
     */
    public static LambdaInvokeApi forTemplate(Template template, Map<String, Object> handlers, String region,
                                              Consumer<String> log) {
        List<Function> functions = new java.util.ArrayList<>();
        for (FunctionDefinition f : template.functions()) {
            RequestHandler<DynamodbEvent, Object> stream = f.streamEvents().isEmpty() ? null
                    : InvocationLog.stream(f.logicalId(), "Invoke",
                            Handlers.as(handlers.get(f.logicalId()), DynamodbEvent.class, f), log);
            functions.add(new Function(f.logicalId(), stream, Duration.ofSeconds(f.timeoutSeconds())));
        }
        return new LambdaInvokeApi(functions, region, Clock.systemUTC());
    }

    /** The route to register with the HTTP server. */
    public ApiRoute route() {
        return ApiRoute.of("POST", PATH, (event, ignored) -> invoke(event));
    }

    APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        String name = event.getPathParameters() == null ? null : event.getPathParameters().get("name");
        if (name != null && name.contains(":function:")) {
            name = name.substring(name.indexOf(":function:") + 10); // an ARN
        }
        if (name != null && name.indexOf(':') > 0) {
            name = name.substring(0, name.indexOf(':')); // a qualifier
        }
        Function function = name == null ? null : functions.get(name);
        if (function == null) {
            return error(404, "ResourceNotFoundException", "Function not found: " + name);
        }
        String type = header(event, "x-amz-invocation-type");
        if (type != null && !type.equals("RequestResponse")) {
            return error(400, "InvalidParameterValueException",
                    "the local runtime invokes synchronously only (RequestResponse)");
        }
        if (function.streamHandler() == null) {
            return error(400, "InvalidRequestContentException",
                    "the local runtime invokes stream functions only; " + name + " takes other events");
        }
        DynamodbEvent input;
        try {
            String body = event.getBody() == null ? "" : event.getIsBase64Encoded()
                    ? new String(Base64.getDecoder().decode(event.getBody()), StandardCharsets.UTF_8) : event.getBody();
            input = StreamEventJson.read(JSON.readTree(body));
        } catch (Exception e) {
            return error(400, "InvalidRequestContentException", "the payload is not a DynamoDB stream event");
        }
        Object response;
        try {
            response = function.streamHandler().handleRequest(input,
                    new LocalContext(function.name(), region, function.timeout(), clock));
        } catch (RuntimeException e) {
            ObjectNode failure = JSON.createObjectNode();
            failure.put("errorMessage", e.getMessage() == null ? "" : e.getMessage());
            failure.put("errorType", e.getClass().getName());
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "application/json", "X-Amz-Function-Error", "Unhandled",
                            "X-Amz-Executed-Version", "$LATEST"))
                    .withBody(failure.toString()).build();
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "application/json", "X-Amz-Executed-Version", "$LATEST"))
                .withBody(json(response)).build();
    }

    private static String json(Object response) {
        if (response == null) {
            return "null";
        }
        if (response instanceof StreamsEventResponse s) {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode failures = root.putArray("batchItemFailures");
            if (s.getBatchItemFailures() != null) {
                s.getBatchItemFailures().forEach(f -> failures.addObject().put("itemIdentifier",
                        f.getItemIdentifier()));
            }
            return root.toString();
        }
        JsonNode tree = JSON.valueToTree(response);
        return tree.toString();
    }

    private static String header(APIGatewayV2HTTPEvent event, String name) {
        if (event.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, String> h : event.getHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static APIGatewayV2HTTPResponse error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("Type", "User");
        body.put("message", message);
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json", "x-amzn-ErrorType", type))
                .withBody(body.toString()).build();
    }
}
