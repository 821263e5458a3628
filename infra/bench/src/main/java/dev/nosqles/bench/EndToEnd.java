package dev.nosqles.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.esm.EventSourcePoller;
import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.Template;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Section 6: end to end on the local runtime, over HTTP. For each order: a customer is created (not timed), then
 * {@code POST /orders} is sent and {@code GET /orders/{id}} polled every few ms until the order is APPROVED
 * (CreateOrderSaga: the events table's stream, the saga's queues, the customer's credit reservation, the reply).
 * Run twice on fresh stacks: once with the event-source pollers on their own threads (their idle waits are real)
 * and once with no poller thread, the client draining every poller (as {@code RunningApp.drainUntilIdle()} does)
 * before each GET, so every record is picked up as soon as it exists. The difference between the two is the time
 * records wait for a poll, blurred by moto: it serialises every request, the pollers' and the GETs' alike.
 *
 * <p>If no order reaches APPROVED within the bound (the saga functions are not in template.yaml), the section says
 * so and stops waiting for the remaining orders; POST → 201 and the GET round trip are still measured.
 */
public final class EndToEnd {
    /** The local pollers' wait after an empty poll (DynamoDbStreamPoller.IDLE_WAIT, SqsPoller.IDLE_WAIT). */
    public static final Duration LOCAL_IDLE_WAIT = Duration.ofMillis(250);
    public static final String STARTED = "pollers started";
    public static final String DRAINED = "drainUntilIdle";
    /**
     * CreateOrderSaga's critical path from POST /orders to APPROVED (see {@code CreateOrderSaga}): two hops through
     * the events table's stream (the reply is applied by the stream function that relays it, ADR 0013, and the
     * Order's command is handled by the stream function that sends it, ADR 0015), one through a queue. Each may wait
     * for a poll.
     */
    public static final List<String> SAGA_STREAM_HOPS = List.of("events stream → OrderSagaStream (OrderCreated starts"
            + " the saga, which sends ReserveCredit)", "events stream → OrderSagaStream (the customer's reply applied;"
            + " ApproveOrder handled in process: APPROVED)");
    public static final List<String> SAGA_QUEUE_HOPS = List.of(
            "customer-commands queue → CustomerCommands (ReserveCredit, asks for its reply)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private EndToEnd() {
    }

    /**
     * @param orders       orders per mode
     * @param approvalWait how long one order may take to reach APPROVED
     * @param pollEvery    the client's wait between two GETs
     */
    public record Config(int orders, Duration approvalWait, Duration pollEvery) {
        public static Config full() {
            return new Config(30, Duration.ofSeconds(15), Duration.ofMillis(20));
        }
    }

    /**
     * One mode. {@code approval} is null when no order reached APPROVED. Drained mode only (else NaN, empty):
     * {@code invocationsPerOrder} (median), the mean ms per approved order spent in polls that invoked a handler
     * ({@code workMsPerOrder}) and in polls that found nothing ({@code emptyPollMsPerOrder}), and per mapping.
     */
    public record Mode(String mode, int orders, int approved, int rejected, int notReached, boolean gaveUp,
                       Latencies post, Latencies get, double getsPerOrder, Latencies approval,
                       double invocationsPerOrder, double workMsPerOrder, double emptyPollMsPerOrder,
                       List<MappingWork> perMapping) {
    }

    /** Drained mode: one event-source mapping's invocations and ms per approved order (means). */
    public record MappingWork(String mapping, double invocationsPerOrder, double workMsPerOrder) {
    }

    /**
     * {@code pollingMsP50}: the APPROVED p50 with the pollers started minus the drained one. The estimates assume
     * each hop of the saga's path finds its poller idle: a uniform wait of 0 to the idle wait, mean half of it.
     */
    public record Result(String template, List<String> functions, int pollers, List<String> batchingWindows,
                         long approvalWaitMs, long pollEveryMs, long localIdleWaitMs, Mode started, Mode drained,
                         boolean approvedReached, double pollingMsP50, double pollingShareP50,
                         List<String> sagaPath, double estimatedLocalWaitMs, double maxLocalWaitMs,
                         double estimatedLambdaWaitMs, String outcome) {
    }

    public static Result run(LocalAws aws, Config config) throws IOException, InterruptedException {
        Path templatePath = LocalRuntime.findTemplate();
        Logger runtimeLog = Logger.getLogger("dev.nosqles.runtime");
        Level level = runtimeLog.getLevel();
        runtimeLog.setLevel(Level.WARNING); // a line per poller invocation otherwise
        try {
            Template template;
            int pollers;
            Mode started;
            try (RunningApp app = LocalRuntime.start(options(templatePath, aws, true))) {
                template = app.template();
                pollers = app.pollers().size();
                started = measure(app, STARTED, config, null);
            }
            Mode drained;
            try (RunningApp app = LocalRuntime.start(options(templatePath, aws, false))) {
                drained = measure(app, DRAINED, config, app);
            }
            List<String> functions = template.functions().stream().map(FunctionDefinition::logicalId).toList();
            List<String> windows = new ArrayList<>();
            for (FunctionDefinition f : template.functions()) {
                f.streamEvents().forEach(e -> windows.add(f.logicalId() + "." + e.name() + " (stream): "
                        + e.maxBatchingWindowSeconds() + " s"));
                f.queueEvents().forEach(e -> windows.add(f.logicalId() + "." + e.name() + " (SQS): "
                        + e.maxBatchingWindowSeconds() + " s"));
            }
            boolean reached = started.approval() != null && drained.approval() != null;
            double pollingMs = reached ? started.approval().p50Ms() - drained.approval().p50Ms() : Double.NaN;
            double share = reached ? pollingMs / started.approval().p50Ms() : Double.NaN;
            List<String> path = new ArrayList<>(SAGA_STREAM_HOPS);
            path.addAll(SAGA_QUEUE_HOPS);
            double idle = LOCAL_IDLE_WAIT.toMillis();
            double estimateLocal = path.size() * idle / 2;
            double maxLocal = path.size() * idle;
            // Lambda: ~4 polls/s per shard for streams (the same mean wait), long polling for SQS (~0 when idle)
            double estimateLambda = SAGA_STREAM_HOPS.size() * idle / 2;
            String outcome = reached
                    ? "APPROVED reached by " + started.approved() + " of " + started.orders() + " orders (pollers started) and "
                    + drained.approved() + " of " + drained.orders() + " (drained)"
                    : "not reached: " + (started.approved() + drained.approved() == 0 ? "no order" : "not every mode's orders")
                    + " reached APPROVED within " + config.approvalWait().toSeconds() + " s"
                    + (functions.size() <= 1 ? " (template.yaml declares no saga functions: " + functions + ")" : "");
            return new Result(templatePath.toString(), functions, pollers, windows, config.approvalWait().toMillis(),
                    config.pollEvery().toMillis(), LOCAL_IDLE_WAIT.toMillis(), started, drained, reached, pollingMs,
                    share, path, estimateLocal, maxLocal, estimateLambda, outcome);
        } finally {
            runtimeLog.setLevel(level);
        }
    }

    public static List<Check> checks(Result result) {
        return List.of(
                new Check("end to end: every POST /orders answered 201", result.started().post().samples()
                        == result.started().orders() && result.drained().post().samples() == result.drained().orders(),
                        (result.started().post().samples() + result.drained().post().samples()) + " of "
                                + (result.started().orders() + result.drained().orders())),
                new Check("end to end: no order rejected", result.started().rejected() + result.drained().rejected() == 0,
                        (result.started().rejected() + result.drained().rejected()) + " rejected; " + result.outcome()));
    }

    private static LocalRuntime.Options options(Path template, LocalAws aws, boolean pollers) {
        String stack = "bench-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        return LocalRuntime.Options.of(template).withPort(0).withStackName(stack).withAws(aws)
                .withPollersStarted(pollers).withLog(line -> { });
    }

    private static Mode measure(RunningApp app, String mode, Config config, RunningApp drain)
            throws IOException, InterruptedException {
        URI base = app.baseUri();
        List<Long> posts = new ArrayList<>();
        List<Long> gets = new ArrayList<>();
        List<Long> approvals = new ArrayList<>();
        List<Long> invocations = new ArrayList<>();
        Map<String, long[]> perMapping = new LinkedHashMap<>(); // mapping -> {invocations, work ns}
        long workNanos = 0;
        long emptyNanos = 0;
        long getsOfApproved = 0;
        int rejected = 0;
        int notReached = 0;
        boolean gaveUp = false;
        boolean anyApproved = false;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            // one untimed order first: connections, JIT and the handlers' first requests
            for (int i = -1; i < config.orders(); i++) {
                boolean timed = i >= 0;
                String customerId = post(http, base.resolve("/customers"),
                        "{\"name\":\"Bench " + i + "\",\"creditLimit\":\"1000000.00\"}").path("customerId").asText();
                if (drain != null) {
                    drain(drain, new Drained());
                }
                long t0 = System.nanoTime();
                JsonNode created = post(http, base.resolve("/orders"),
                        "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"10.00\"}");
                long posted = System.nanoTime();
                if (timed) {
                    posts.add(posted - t0);
                }
                URI order = base.resolve("/orders/" + created.path("orderId").asText());
                long deadline = t0 + config.approvalWait().toNanos();
                Drained drained = new Drained();
                long orderGets = 0;
                String state = created.path("state").asText();
                while (true) {
                    if (drain != null) {
                        drain(drain, drained);
                    }
                    orderGets++;
                    long g = System.nanoTime();
                    state = get(http, order).path("state").asText();
                    long now = System.nanoTime();
                    if (timed) {
                        gets.add(now - g);
                    }
                    if ("APPROVED".equals(state)) {
                        anyApproved = true;
                        if (timed) {
                            approvals.add(now - t0);
                            invocations.add(drained.invocations);
                            workNanos += drained.workNanos;
                            emptyNanos += drained.emptyNanos;
                            getsOfApproved += orderGets;
                            drained.perMapping.forEach((id, v) -> {
                                long[] sum = perMapping.computeIfAbsent(id, k -> new long[2]);
                                sum[0] += v[0];
                                sum[1] += v[1];
                            });
                        }
                        break;
                    }
                    if ("REJECTED".equals(state) || "CANCELLED".equals(state)) {
                        rejected += timed ? 1 : 0;
                        break;
                    }
                    if (gaveUp || now > deadline) {
                        if (!gaveUp) {
                            notReached += timed ? 1 : 0;
                            // nothing has ever been approved: the saga is not wired; stop waiting for the rest
                            gaveUp = !anyApproved;
                        } else if (timed) {
                            notReached++;
                        }
                        break;
                    }
                    Thread.sleep(config.pollEvery().toMillis());
                }
            }
        }
        int n = approvals.size();
        boolean drainedStats = drain != null && n > 0;
        double perOrder = drainedStats
                ? Latencies.percentile(invocations.stream().mapToLong(Long::longValue).sorted().toArray(), 0.5)
                : Double.NaN;
        List<MappingWork> mappings = new ArrayList<>();
        if (drainedStats) {
            perMapping.forEach((id, v) -> mappings.add(new MappingWork(id, (double) v[0] / n, v[1] / 1e6 / n)));
        }
        return new Mode(mode, config.orders(), n, rejected, notReached, gaveUp,
                Latencies.of("POST /orders → 201", mode, toArray(posts)),
                Latencies.of("GET /orders/{id}", mode, toArray(gets)),
                n == 0 ? Double.NaN : (double) getsOfApproved / n,
                n == 0 ? null : Latencies.of("POST /orders → APPROVED", mode, toArray(approvals)),
                perOrder, drainedStats ? workNanos / 1e6 / n : Double.NaN,
                drainedStats ? emptyNanos / 1e6 / n : Double.NaN, List.copyOf(mappings));
    }

    /** What {@link #drain} did for one order. */
    private static final class Drained {
        long invocations;
        long workNanos;
        long emptyNanos;
        final Map<String, long[]> perMapping = new LinkedHashMap<>();
    }

    /** {@code RunningApp.drainUntilIdle()}, poll by poll, timing the polls that invoked a handler and the empty ones. */
    private static void drain(RunningApp app, Drained into) {
        int round;
        do {
            round = 0;
            for (EventSourcePoller poller : app.pollers()) {
                while (true) {
                    long t = System.nanoTime();
                    boolean worked = poller.pollOnce();
                    long took = System.nanoTime() - t;
                    if (!worked) {
                        into.emptyNanos += took;
                        break;
                    }
                    round++;
                    if (++into.invocations > 10_000) {
                        throw new IllegalStateException(poller.mappingId() + ": not idle after 10,000 invocations");
                    }
                    into.workNanos += took;
                    long[] m = into.perMapping.computeIfAbsent(poller.mappingId(), k -> new long[2]);
                    m[0]++;
                    m[1] += took;
                }
            }
        } while (round > 0);
    }

    private static JsonNode post(HttpClient http, URI uri, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("POST " + uri.getPath() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static JsonNode get(HttpClient http, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri.getPath() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
