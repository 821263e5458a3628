package dev.nosqles.app.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.nosqles.aggregate.CommandRejectedException;
import dev.nosqles.app.Application;
import dev.nosqles.app.InvalidCommandException;
import dev.nosqles.app.api.internal.ApiRequest;
import dev.nosqles.app.api.internal.Bodies;
import dev.nosqles.app.api.internal.CustomerRoutes;
import dev.nosqles.app.api.internal.OrderListRoutes;
import dev.nosqles.app.api.internal.OrderRoutes;
import dev.nosqles.app.api.internal.ProblemException;
import dev.nosqles.app.api.internal.Responses;
import dev.nosqles.app.api.internal.Router;
import dev.nosqles.app.readmodel.OrderQueries;
import dev.nosqles.app.readmodel.ReadModelWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.SnapStartPriming;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.logging.LogContext;
import dev.nosqles.privacy.KeyServiceUnavailableException;
import dev.nosqles.privacy.SubjectForgottenException;
import dev.nosqles.privacy.SubjectKeyMissingException;
import dev.nosqles.projection.InvalidCursorException;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.InvalidStreamIdException;
import dev.nosqles.store.StreamNotFoundException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The reference application's HTTP API (API Gateway HTTP API, payload format 2.0). Thin: it routes, turns the
 * request into a command or query, and maps the outcome to a status. Errors are RFC 9457 problems
 * ({@code application/problem+json}): 400 malformed input, 404 unknown resource or id, 405 wrong method,
 * 409 concurrency conflict or personal data of a forgotten customer, 422 a business rule said no, 503 (with
 * {@code Retry-After}) the key service is unavailable; nothing is written when a request fails.
 *
 * <p>POSTs honour an {@code Idempotency-Key} header: creates derive the new id from it, so a retry finds the
 * aggregate created and answers as the first time; a cancel sends it as the command's message id and is
 * replay-safe by itself (cancelling a cancelled order appends nothing).
 */
public final class ApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiHandler.class);

    /** What a 503 for an unavailable key service asks the caller to wait, in seconds. */
    static final String RETRY_AFTER_SECONDS = "5";

    private final Router router;
    private final Telemetry telemetry;
    /** Held here: CRaC keeps resources only weakly. */
    private SnapStartPriming priming;

    /** The Lambda entry point: wires the application once from the environment and registers CRaC priming. */
    public ApiHandler() {
        this(wire(FunctionEnvironment.system()));
        this.priming = SnapStartPriming.register(this::prime);
    }

    /**
     * Wires the application from the given environment (see {@link Application#fromEnvironment}); the local
     * runtime uses it to hand over the environment template.yaml declares for the function.
     *
     * @param env reads an environment variable
     */
    public ApiHandler(Function<String, String> env) {
        this(wire(FunctionEnvironment.of(env)));
    }

    private ApiHandler(Wired wired) {
        this(wired.application(), wired.queries(), wired.telemetry());
    }

    private record Wired(Application application, OrderQueries queries, Telemetry telemetry) {
    }

    private static Wired wire(FunctionEnvironment env) {
        Telemetry telemetry = env.telemetry();
        Application app = Application.fromEnvironment(env, telemetry.metrics());
        // a deployment without READ_MODELS_TABLE serves the commands and reads by id; its list routes answer 503.
        // With it, the read models are built by the first query (a command's cold start builds none of them); their
        // variables are checked now, so a misconfigured function still fails its start
        if (!ReadModelWiring.configured(env)) {
            return new Wired(app, OrderQueries.unavailable(), telemetry);
        }
        ReadModelWiring.check(env, true);
        return new Wired(app, OrderQueries.lazy(() -> OrderQueries.on(
                ReadModelWiring.fromEnvironment(env, app.eventStore(), app.clock(), true))), telemetry);
    }

    /**
     * For tests and local runtimes: the given application, read-model queries ({@link OrderQueries#unavailable()}:
     * the query routes answer 503) and telemetry; no SnapStart registration.
     *
     * @param telemetry the function's logs and metrics (give its metrics to the application's repositories)
     */
    public ApiHandler(Application application, OrderQueries queries, Telemetry telemetry) {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(queries, "queries");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.router = new OrderListRoutes(application, queries).register(
                new OrderRoutes(application).register(new CustomerRoutes(application).register(new Router())));
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return telemetry.invocation(context, () -> {
            try (LogContext log = LogContext.open()) {
                return handle(event, log);
            }
        });
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, LogContext log) {
        Map<String, String> echo = new HashMap<>();
        try {
            ApiRequest request = ApiRequest.from(event);
            log.put(LogContext.CORRELATION_ID, request.correlationId());
            if (request.correlationId() != null) {
                echo.put("X-Correlation-Id", request.correlationId());
            }
            Router.Match match = router.match(request.method(), request.path());
            if (request.body() != null && !request.body().isEmpty()
                    && !Bodies.isJson(request.headers().get("content-type"))) {
                throw ProblemException.unsupportedMediaType();
            }
            return match.action().handle(request, match.pathParameters());
        } catch (Router.MethodNotAllowed e) {
            echo.put("Allow", String.join(", ", e.allowed().stream().sorted().toList()));
            return Responses.problem(e.problem(), echo);
        } catch (RuntimeException e) {
            if (e instanceof KeyServiceUnavailableException) {
                echo.put("Retry-After", RETRY_AFTER_SECONDS);
            }
            return Responses.problem(problemFor(e), echo);
        }
    }

    private static ProblemException problemFor(RuntimeException e) {
        return switch (e) {
            case ProblemException p -> p;
            case InvalidCommandException invalid ->
                    ProblemException.badRequest("invalid-field", invalid.field(), invalid.getMessage());
            case StreamNotFoundException notFound -> ProblemException.notFound("no resource with this id");
            case InvalidStreamIdException invalid -> ProblemException.notFound("no resource with this id");
            case CommandRejectedException rejected ->
                    ProblemException.unprocessable(rejected.reason(), rejected.getMessage());
            case InvalidCursorException cursor -> OrderListRoutes.invalidCursor(cursor.reason());
            case OrderQueries.Unavailable unavailable -> new ProblemException(503, "read-models-unavailable",
                    "Service Unavailable", "the query routes are not configured in this deployment");
            case ConcurrencyConflictException conflict -> new ProblemException(409, "concurrency-conflict",
                    "Conflict", "the resource was changed concurrently; retry the request");
            // the only write of personal data is a customer's creation: a retry of it after the customer was
            // forgotten (same Idempotency-Key) must not bring the data back
            case SubjectForgottenException forgotten -> new ProblemException(409, "subject-forgotten", "Conflict",
                    "the personal data of this customer was forgotten and is not written again");
            case KeyServiceUnavailableException unavailable -> {
                LOG.warn("key service unavailable: {}", unavailable.getCause() == null ? "-"
                        : unavailable.getCause().getClass().getName());
                yield new ProblemException(503, "key-service-unavailable", "Service Unavailable",
                        "the key service is unavailable; nothing was written, retry later");
            }
            // data written under other keys (or a key item deleted outside forget): the deployment's fault, not
            // the caller's; never answered with placeholders
            case SubjectKeyMissingException missing -> {
                LOG.error("subject key missing: neither a key nor a tombstone (keys table mismatch?)");
                yield new ProblemException(503, "subject-key-missing", "Service Unavailable",
                        "the personal data of this resource cannot be read with this deployment's keys");
            }
            default -> {
                LOG.error("request failed: {}", dev.nosqles.logging.LoggableFailures.describe(e),
                        dev.nosqles.logging.LoggableFailures.loggable(e));
                yield new ProblemException(500, "internal-error", "Internal Server Error",
                        "the request could not be completed");
            }
        };
    }

    /**
     * Runs three harmless requests: a read of an order that does not exist (routing, a DynamoDB query, a problem
     * written as JSON), a list of the read model (the registry, an index Query, the page as JSON; read only) and a
     * create with an invalid body (JSON parsing and validation; nothing is written).
     */
    void prime() {
        handleRequest(PrimingRequests.getUnknownOrder(), null);
        handleRequest(PrimingRequests.listPendingOrders(), null);
        handleRequest(PrimingRequests.invalidCreate(), null);
    }
}
