package dev.nosqles.runtime.ric;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal Lambda Runtime API (the {@code 2018-06-01} interface a runtime polls) that hands one event at a time to
 * the real runtime interface client and collects its answer: {@code GET /runtime/invocation/next},
 * {@code POST /runtime/invocation/{id}/response | /error}, {@code POST /runtime/init/error}, and for SnapStart
 * {@code GET /runtime/restore/next} and {@code POST /runtime/restore/error}.
 *
 * <p>Why this and not the Runtime Interface Emulator (aws-lambda-rie): the emulator is a Go program that implements
 * this same interface and adds an invoke endpoint in front of it; what a test needs to observe (the client's
 * requests, one event at a time, its answer or its error, the restore call of a SnapStart init) is exactly this
 * interface. Served in the test JVM it needs no Go toolchain, no build step, no download at test time and no
 * process to find a free port for, and it cannot be skipped for want of any of them. The client itself is not
 * emulated: it is the Maven Central {@code aws-lambda-java-runtime-interface-client} running in its own JVM.
 */
final class RuntimeApiServer implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    /** An answer of the function: its payload, or the error type and body it reported. */
    record Answer(int ordinal, String payload, String errorType) {
        boolean failed() {
            return errorType != null;
        }
    }

    private record Pending(String requestId, String event, CompletableFuture<Answer> answer) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "runtime-api");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();
    private final String functionArn;
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final CompletableFuture<Void> restoreRequested = new CompletableFuture<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private int invocations;

    RuntimeApiServer(String functionArn) {
        this.functionArn = functionArn;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** {@code host:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** The method and path of every request the client made, in order. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** Completes when the client asked {@code restore/next} (after running its checkpoint hooks). */
    CompletableFuture<Void> restoreRequested() {
        return restoreRequested;
    }

    /** Completes with the body of an init error the client reported. */
    CompletableFuture<String> initError() {
        return initError;
    }

    /** Queues one event; the answer completes when the client posts the response or the error. */
    synchronized CompletableFuture<Answer> submit(String event) {
        Pending pending = new Pending(UUID.randomUUID().toString(), event, new CompletableFuture<>());
        queue.add(pending);
        return pending.answer();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
            requests.add(method + " " + path);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(exchange);
            } else if (method.equals("POST") && path.startsWith("invocation/") && path.endsWith("/response")) {
                complete(exchange, path.substring("invocation/".length(), path.length() - "/response".length()),
                        new String(body, StandardCharsets.UTF_8), null);
            } else if (method.equals("POST") && path.startsWith("invocation/") && path.endsWith("/error")) {
                String errorType = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
                complete(exchange, path.substring("invocation/".length(), path.length() - "/error".length()),
                        new String(body, StandardCharsets.UTF_8), errorType == null ? "Unknown" : errorType);
            } else if (method.equals("POST") && (path.equals("init/error") || path.equals("restore/error"))) {
                initError.complete(new String(body, StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(202, -1);
            } else if (method.equals("GET") && path.equals("restore/next")) {
                restoreRequested.complete(null);
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        Pending pending;
        try {
            pending = queue.poll(Duration.ofMinutes(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (pending == null) {
            exchange.sendResponseHeaders(500, -1);
            return;
        }
        inFlight.put(pending.requestId(), pending);
        byte[] payload = pending.event().getBytes(StandardCharsets.UTF_8);
        var headers = exchange.getResponseHeaders();
        headers.add("Content-Type", "application/json");
        headers.add("Lambda-Runtime-Aws-Request-Id", pending.requestId());
        headers.add("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 60_000));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        headers.add("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
                + "Sampled=0");
        exchange.sendResponseHeaders(200, payload.length);
        exchange.getResponseBody().write(payload);
    }

    private void complete(HttpExchange exchange, String requestId, String body, String errorType) throws IOException {
        Pending pending = inFlight.remove(requestId);
        if (pending == null) {
            exchange.sendResponseHeaders(400, -1);
            return;
        }
        int ordinal;
        synchronized (this) {
            ordinal = ++invocations;
        }
        exchange.sendResponseHeaders(202, -1);
        pending.answer().complete(new Answer(ordinal, body, errorType));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
