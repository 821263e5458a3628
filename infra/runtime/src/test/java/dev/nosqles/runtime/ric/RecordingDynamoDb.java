package dev.nosqles.runtime.ric;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A DynamoDB endpoint that records the operation of every request ({@code X-Amz-Target}) and answers each with an
 * empty result (no item, no items), so that a function pointed at it reads an empty table.
 */
final class RecordingDynamoDb implements AutoCloseable {
    private final HttpServer server;
    private final List<String> operations = new CopyOnWriteArrayList<>();

    RecordingDynamoDb() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
                operations.add(target == null ? "?" : target.substring(target.indexOf('.') + 1));
                byte[] body = "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
    }

    String endpoint() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** The operations received so far, e.g. {@code [Query]}. */
    List<String> operations() {
        return List.copyOf(operations);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
