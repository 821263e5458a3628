package dev.nosqles.runtime.console;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.nosqles.EventSourcingException;
import dev.nosqles.runtime.http.ApiRoute;
import dev.nosqles.store.InvalidStreamIdException;
import dev.nosqles.store.StreamNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The local console of {@code make run}: a page at {@value #PATH} (plain HTML, JavaScript and CSS from this
 * package's resources; no build chain, nothing from another origin) and the JSON it reads under
 * {@value #PATH}{@code /api}:
 *
 * <pre>
 * GET /_console/api/events?after=N&amp;max=M         the live records (RecentEvents) after the page's last one
 * GET /_console/api/streams/{type}/{id}?atVersion=N | ?asOf=T   a stream's history with its metadata
 * GET /_console/api/sagas                          sagas seen lately (from the live records) and sagas past due
 * GET /_console/api/sagas/{sagaId}                 a saga's timeline
 * GET /_console/api/subscriptions                  each subscriber's lag
 * GET /_console/api/dlq                            the dead-letter and on-failure queues' depths
 * GET /_console/api/dlq/{queue}?max=N              a queue's messages, decoded (a peek: nothing is deleted)
 * </pre>
 *
 * A caller's mistake is a 4xx {@code application/problem+json}. Local only: the runtime serves it on the loopback
 * interface; template.yaml has no such route.
 */
public final class Console {
    /** Where the page is served. */
    public static final String PATH = "/_console";
    static final int MAX_EVENTS = 500;
    static final int MAX_DEAD_LETTERS = 10;

    private static final Map<String, String> ASSETS = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final RecentEvents recent;
    private final ConsoleData data;
    private final Clock clock;
    private final ObjectMapper json = mapper();
    private final Map<String, byte[]> assets = new LinkedHashMap<>();

    public Console(RecentEvents recent, ConsoleData data, Clock clock) {
        this.recent = Objects.requireNonNull(recent, "recent");
        this.data = Objects.requireNonNull(data, "data");
        this.clock = Objects.requireNonNull(clock, "clock");
        assets.put("index.html", resource("index.html"));
        ASSETS.keySet().forEach(name -> assets.put(name, resource(name)));
    }

    /** The JSON shape of the console's API: Instants as ISO-8601 strings, Durations as milliseconds. */
    public static ObjectMapper mapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DATE_TIMESTAMPS_AS_NANOSECONDS);
    }

    /** The routes to add to the local API server (none of them is a template route). */
    public List<ApiRoute> routes() {
        List<ApiRoute> routes = new ArrayList<>();
        routes.add(get(PATH, e -> page()));
        routes.add(get(PATH + "/", e -> page()));
        routes.add(get(PATH + "/{asset}", this::asset));
        routes.add(get(PATH + "/api/events", this::events));
        routes.add(get(PATH + "/api/streams/{type}/{id}", this::history));
        routes.add(get(PATH + "/api/sagas", e -> sagas()));
        routes.add(get(PATH + "/api/sagas/{sagaId}", this::timeline));
        routes.add(get(PATH + "/api/subscriptions", e -> ok(data.lags(clock.instant()))));
        routes.add(get(PATH + "/api/dlq", e -> ok(data.deadLetterQueues())));
        routes.add(get(PATH + "/api/dlq/{queue}", this::deadLetters));
        return routes;
    }

    // ---- the page ----

    private APIGatewayV2HTTPResponse page() {
        return bytes(200, "text/html; charset=utf-8", assets.get("index.html"));
    }

    private APIGatewayV2HTTPResponse asset(APIGatewayV2HTTPEvent e) {
        String name = path(e, "asset");
        String type = ASSETS.get(name);
        if (type == null) {
            return problem(404, "not-found", "Not Found", "the console has no such file");
        }
        return bytes(200, type, assets.get(name));
    }

    // ---- the API ----

    private APIGatewayV2HTTPResponse events(APIGatewayV2HTTPEvent e) {
        long after = longParam(e, "after", 0, 0, Long.MAX_VALUE);
        int max = (int) longParam(e, "max", 200, 1, MAX_EVENTS);
        ObjectNode body = json.createObjectNode();
        body.put("lastSeq", recent.lastSeq());
        body.put("capacity", recent.capacity());
        body.set("entries", json.valueToTree(recent.after(after, max)));
        return ok(body);
    }

    private APIGatewayV2HTTPResponse history(APIGatewayV2HTTPEvent e) {
        String atVersion = query(e, "atVersion");
        String asOf = query(e, "asOf");
        if (atVersion != null && asOf != null) {
            throw new BadRequest("give atVersion or asOf, not both", "asOf");
        }
        Long version = atVersion == null ? null : longParam(e, "atVersion", 0, 1, Long.MAX_VALUE);
        Instant instant = null;
        if (asOf != null) {
            try {
                instant = Instant.parse(asOf);
            } catch (DateTimeParseException ex) {
                throw new BadRequest("asOf must be an ISO-8601 instant such as 2026-01-31T12:00:00Z", "asOf");
            }
        }
        return ok(data.history(path(e, "type"), path(e, "id"), version, instant));
    }

    /** The sagas of the live records (newest first, with their last status seen) and the sagas past due. */
    private APIGatewayV2HTTPResponse sagas() {
        Map<String, ObjectNode> seen = new LinkedHashMap<>();
        for (RecentEvents.Entry entry : recent.after(0, Integer.MAX_VALUE)) {
            for (RecentEvents.Event event : entry.events()) {
                boolean created = "SagaOrchestratorCreated".equals(event.type());
                ObjectNode saga = seen.get(entry.streamId());
                if (saga == null && !created) {
                    continue;
                }
                if (saga == null) {
                    saga = json.createObjectNode();
                    saga.put("sagaId", entry.aggregateId());
                    saga.put("sagaType", entry.aggregateType());
                    saga.put("startedAt", String.valueOf(entry.at()));
                    saga.put("causationId", entry.causationId());
                    saga.put("correlationId", entry.correlationId());
                    saga.put("status", "STARTED");
                    seen.put(entry.streamId(), saga);
                }
                saga.put("version", entry.lastVersion());
                saga.put("updatedAt", String.valueOf(entry.at()));
                String status = status(event);
                if (status != null) {
                    saga.put("status", status);
                }
            }
        }
        List<ObjectNode> newestFirst = new ArrayList<>(seen.values());
        java.util.Collections.reverse(newestFirst);
        ObjectNode body = json.createObjectNode();
        body.set("recent", json.valueToTree(newestFirst));
        body.set("pastDue", json.valueToTree(data.pastDue(clock.instant())));
        return ok(body);
    }

    private String status(RecentEvents.Event event) {
        if (!"SagaOrchestratorUpdated".equals(event.type()) || event.data() == null) {
            return null;
        }
        try {
            JsonNode status = json.readTree(event.data()).get("status");
            return status == null || !status.isTextual() ? null : status.asText();
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private APIGatewayV2HTTPResponse timeline(APIGatewayV2HTTPEvent e) {
        Optional<?> timeline = data.timeline(path(e, "sagaId"));
        return timeline.isPresent() ? ok(timeline.get())
                : problem(404, "saga-not-found", "Not Found", "there is no saga with this id");
    }

    private APIGatewayV2HTTPResponse deadLetters(APIGatewayV2HTTPEvent e) {
        String queue = path(e, "queue");
        if (!data.queueNames().contains(queue)) {
            return problem(404, "queue-not-found", "Not Found", "no dead-letter queue has this logical id; see "
                    + PATH + "/api/dlq");
        }
        int max = (int) longParam(e, "max", MAX_DEAD_LETTERS, 1, MAX_DEAD_LETTERS);
        return ok(data.deadLetters(queue, max));
    }

    // ---- plumbing ----

    private ApiRoute get(String template, Function<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        return ApiRoute.of("GET", template, (event, context) -> {
            try {
                return handler.apply(event);
            } catch (ViewUnavailableException e) {
                return problem(404, "view-unavailable", "Not Found", e.getMessage());
            } catch (BadRequest e) {
                return problem(400, "invalid-parameter", "Bad Request", e.getMessage());
            } catch (StreamNotFoundException e) {
                return problem(404, "stream-not-found", "Not Found", "there is no stream " + e.streamId());
            } catch (InvalidStreamIdException e) {
                return problem(400, "invalid-stream-id", "Bad Request",
                        "not a stream id: an aggregate type is a letter then letters and digits, an id 1 to 128 of "
                                + "A-Z a-z 0-9 . _ : -");
            } catch (EventSourcingException e) {
                return problem(500, "internal-error", "Internal Server Error", e.getClass().getSimpleName());
            }
        });
    }

    private static String path(APIGatewayV2HTTPEvent e, String name) {
        return e.getPathParameters() == null ? null : e.getPathParameters().get(name);
    }

    private static String query(APIGatewayV2HTTPEvent e, String name) {
        if (e.getQueryStringParameters() == null) {
            return null;
        }
        String value = e.getQueryStringParameters().get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private static long longParam(APIGatewayV2HTTPEvent e, String name, long otherwise, long min, long max) {
        String value = query(e, name);
        if (value == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ex) {
            // answered below
        }
        throw new BadRequest(name + " must be a whole number from " + min + " to " + max, name);
    }

    private APIGatewayV2HTTPResponse ok(Object body) {
        try {
            return bytes(200, "application/json", json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private APIGatewayV2HTTPResponse problem(int status, String code, String title, String detail) {
        ObjectNode p = json.createObjectNode();
        p.put("type", "urn:nosqles:problem:" + code);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        APIGatewayV2HTTPResponse r = bytes(status, "application/problem+json", p.toString()
                .getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private static APIGatewayV2HTTPResponse bytes(int status, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        headers.put("Cache-Control", "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Content-Security-Policy", CSP);
        headers.put("Referrer-Policy", "no-referrer");
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(headers)
                .withBody(new String(body, StandardCharsets.UTF_8)).withIsBase64Encoded(false).build();
    }

    private static byte[] resource(String name) {
        try (InputStream in = Console.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's " + name, e);
        }
    }

    /** A caller's mistake in a parameter. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message, String field) {
            super(message);
        }
    }
}
