package dev.nosqles.localaws.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.nosqles.localaws.LocalAws;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fault-injecting HTTP proxy in front of a local AWS (moto): every request is forwarded to the real endpoint,
 * except when a {@link FaultRule} picks it; then it gets a {@link FaultKind}: its response lost after it took
 * effect, throttled, answered 5xx before it reaches the backend, or delayed. Rules are keyed on the service and
 * operation of the request ({@link AwsOperation}), so the SDK clients of a whole application, including those the
 * Lambda handlers build themselves from {@code aws.endpointUrl}, see real AWS faults when they are pointed at
 * {@link #endpoint()} ({@link #aws()} gives a {@link LocalAws} that does so).
 *
 * <p>Random draws come from one {@link SplittableRandom} per rule, seeded from the proxy's seed, the rule's
 * position and how many times the rules were replaced before: the same seed and the same sequence of requests and
 * replacements give the same faults, and a replacement never replays the draws an earlier list already made. Requests that are not
 * AWS API calls (moto's own {@code /moto-api/}) are never faulted.
 *
 * <p>Every injected fault is counted by kind and operation ({@link #counts()}).
 */
public final class FaultProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FaultProxy.class.getName());
    /** Headers the JDK client sets itself, or that describe the hop rather than the request. */
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "proxy-connection", "te", "trailer");

    private final URI target;
    private final LocalAws backend;
    private final long seed;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient http;
    private final URI endpoint;
    private final Map<FaultKind, Map<String, LongAdder>> faults = new EnumMap<>(FaultKind.class);
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byRule = new ConcurrentHashMap<>();
    private volatile List<RuleState> rules = List.of();
    /** How many times {@link #rules(List)} was called: part of each new rule's seed. */
    private long replacements;
    private final Object busyLock = new Object();
    private int inFlight; // guarded by busyLock
    private long busySince; // guarded by busyLock
    private long busyNanos; // guarded by busyLock

    private FaultProxy(LocalAws backend, URI target, long seed) throws IOException {
        this.backend = backend;
        this.target = Objects.requireNonNull(target, "target");
        this.seed = seed;
        for (FaultKind kind : FaultKind.values()) {
            faults.put(kind, new ConcurrentHashMap<>());
        }
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fault-proxy-", 0).factory());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A proxy on a free loopback port in front of {@code backend}, with no rules yet (everything passes). */
    public static FaultProxy start(LocalAws backend, long seed) {
        Objects.requireNonNull(backend, "backend");
        try {
            return new FaultProxy(backend, backend.endpoint(), seed);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the fault proxy", e);
        }
    }

    /** The proxy's own address, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return endpoint;
    }

    /** The seed of the random draws. */
    public long seed() {
        return seed;
    }

    /**
     * The backend reached through this proxy: same region and credentials, this proxy's endpoint. Closing it
     * stops nothing (close the proxy and the backend yourself).
     */
    public LocalAws aws() {
        return backend.through(endpoint, "fault proxy " + endpoint + " in front of " + backend.description());
    }

    /**
     * Replaces the rules (an empty list lets everything pass). Each rule's budget and burst start afresh, and so
     * do its random numbers, seeded from the proxy's seed, the rule's position in the list and the number of
     * replacements before this one. (Seeded from the position alone, a rule put back after a pause drew the same
     * numbers again: a run that paused its rules every few requests saw only the first few draws of each rule, and
     * a rule whose first fault came later than that never fired.)
     */
    public synchronized void rules(List<FaultRule> value) {
        List<RuleState> states = new ArrayList<>();
        long generation = replacements++;
        for (int i = 0; i < value.size(); i++) {
            states.add(new RuleState(value.get(i), new SplittableRandom(seed * 31 + i * 0x9E3779B97F4A7C15L
                    + generation * 0xBF58476D1CE4E5B9L)));
        }
        rules = List.copyOf(states);
    }

    /** The rules in force. */
    public List<FaultRule> rules() {
        return rules.stream().map(RuleState::rule).toList();
    }

    /** What was injected so far. */
    public FaultCounts counts() {
        Map<FaultKind, Map<String, Long>> byKind = new EnumMap<>(FaultKind.class);
        faults.forEach((kind, byOp) -> {
            Map<String, Long> counts = new TreeMap<>();
            byOp.forEach((op, n) -> counts.put(op, n.sum()));
            byKind.put(kind, counts);
        });
        Map<String, Long> seen = new TreeMap<>();
        requests.forEach((op, n) -> seen.put(op, n.sum()));
        Map<String, Long> rulesFired = new TreeMap<>();
        byRule.forEach((rule, n) -> rulesFired.put(rule, n.sum()));
        return new FaultCounts(byKind, seen, rulesFired);
    }

    /**
     * How long, since the start, at least one forwarded request was waiting for the backend's answer. The backend
     * (moto behind its one lock) handles one request at a time, so this is how long it was busy: over an interval,
     * its share of the interval is how close the backend was to its ceiling.
     */
    public Duration backendBusy() {
        synchronized (busyLock) {
            return Duration.ofNanos(busyNanos + (inFlight > 0 ? System.nanoTime() - busySince : 0));
        }
    }

    private void forwarding(boolean starts) {
        synchronized (busyLock) {
            if (starts) {
                if (inFlight++ == 0) {
                    busySince = System.nanoTime();
                }
            } else if (--inFlight == 0) {
                busyNanos += System.nanoTime() - busySince;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        http.shutdownNow();
    }

    // ---- one request ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            AwsOperation call = AwsOperation.identify(exchange.getRequestHeaders()::getFirst, body);
            Decision decision = decide(call, body);
            if (call != AwsOperation.NONE) {
                requests.computeIfAbsent(call.key(), k -> new LongAdder()).increment();
            }
            if (decision.delay() > 0) {
                count(FaultKind.LATENCY, call);
                try {
                    Thread.sleep(decision.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (decision.kind() == FaultKind.THROTTLE) {
                count(FaultKind.THROTTLE, call);
                sendError(exchange, call, 400, throttlingCode(call), "Rate of requests exceeds the allowed throughput.");
                return;
            }
            if (decision.kind() == FaultKind.SERVER_ERROR) {
                count(FaultKind.SERVER_ERROR, call);
                sendError(exchange, call, 500, internalCode(call), "Internal server error (injected before the request).");
                return;
            }
            HttpResponse<byte[]> response;
            try {
                forwarding(true);
                try {
                    response = forward(exchange, body);
                } finally {
                    forwarding(false);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "fault proxy: forwarding " + call + " failed: " + e);
                sendError(exchange, call, 502, internalCode(call), "The backend did not answer.");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (decision.kind() == FaultKind.LOST_RESPONSE) {
                count(FaultKind.LOST_RESPONSE, call);
                sendError(exchange, call, 500, internalCode(call), "Internal server error (injected after the request took effect).");
                return;
            }
            relay(exchange, response);
        }
    }

    private Decision decide(AwsOperation call, byte[] body) {
        if (call == AwsOperation.NONE) {
            return Decision.PASS;
        }
        List<RuleState> current = rules;
        if (current.isEmpty()) {
            return Decision.PASS;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        long delay = 0;
        FaultKind kind = null;
        for (RuleState state : current) {
            FaultRule rule = state.rule();
            if ((rule.kind() == FaultKind.LATENCY ? delay > 0 : kind != null) || !rule.matches(call, text)) {
                continue;
            }
            long drawnDelay = state.fire(rule);
            if (drawnDelay < 0) {
                continue;
            }
            byRule.computeIfAbsent(rule.toString(), k -> new LongAdder()).increment();
            if (rule.kind() == FaultKind.LATENCY) {
                delay = Math.max(1, drawnDelay);
            } else {
                kind = rule.kind();
            }
        }
        return new Decision(kind, delay);
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.toString() + exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void relay(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":") && !HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] body = response.body();
        boolean noBody = body.length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** An error as the service's protocol writes it: JSON with {@code __type} for X-Amz-Target calls, else XML. */
    private static void sendError(HttpExchange exchange, AwsOperation call, int status, String code, String message)
            throws IOException {
        String requestId = UUID.randomUUID().toString();
        boolean json = exchange.getRequestHeaders().getFirst("X-Amz-Target") != null;
        byte[] body;
        if (json) {
            String namespace = switch (call.service()) {
                case "dynamodb" -> "com.amazonaws.dynamodb.v20120810#";
                case "streams" -> "com.amazonaws.streams.dynamodb.v20120810#";
                case "sqs" -> "com.amazonaws.sqs#";
                default -> "";
            };
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            exchange.getResponseHeaders().set("Content-Type",
                    contentType == null ? "application/x-amz-json-1.0" : contentType);
            if (call.service().equals("sqs")) {
                // SQS speaks JSON in query-compatible mode: the SDK takes the error code from this header first
                exchange.getResponseHeaders().set("x-amzn-query-error", code + ";" + (status >= 500 ? "Receiver" : "Sender"));
            }
            body = ("{\"__type\":\"" + namespace + code + "\",\"message\":\"" + message + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        } else {
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            body = ("<ErrorResponse><Error><Type>" + (status >= 500 ? "Receiver" : "Sender") + "</Type><Code>" + code
                    + "</Code><Message>" + message + "</Message></Error><RequestId>" + requestId
                    + "</RequestId></ErrorResponse>").getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String throttlingCode(AwsOperation call) {
        return switch (call.service()) {
            case "dynamodb" -> "ProvisionedThroughputExceededException";
            case "streams" -> "LimitExceededException";
            case "sns" -> "Throttling";
            default -> "ThrottlingException";
        };
    }

    private static String internalCode(AwsOperation call) {
        return switch (call.service()) {
            case "dynamodb", "streams" -> "InternalServerError";
            case "sqs" -> "InternalError";
            default -> "InternalFailure";
        };
    }

    private void count(FaultKind kind, AwsOperation call) {
        faults.get(kind).computeIfAbsent(call.key(), k -> new LongAdder()).increment();
    }

    private record Decision(FaultKind kind, long delay) {
        static final Decision PASS = new Decision(null, 0);
    }

    /** A rule with its random numbers, what is left of its budget and of its current burst. */
    private static final class RuleState {
        private final FaultRule rule;
        private final SplittableRandom random;
        private int used;
        private int burstLeft;
        private int matched;

        RuleState(FaultRule rule, SplittableRandom random) {
            this.rule = rule;
            this.random = random;
        }

        FaultRule rule() {
            return rule;
        }

        /** -1 = does not fire; else fires (with a delay in ms for a latency rule, 0 otherwise). */
        synchronized long fire(FaultRule r) {
            if (r.budget() >= 0 && used >= r.budget()) {
                return -1;
            }
            matched++;
            boolean fires;
            if (burstLeft > 0) {
                burstLeft--;
                fires = true;
            } else {
                fires = random.nextDouble() < r.probability() || (used == 0 && r.firstBy() > 0 && matched >= r.firstBy());
                if (fires) {
                    burstLeft = r.burst() - 1;
                }
            }
            if (!fires) {
                return -1;
            }
            used++;
            return r.kind() == FaultKind.LATENCY ? random.nextLong(r.latency().toMillis() + 1) : 0;
        }
    }
}
