package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Supplier;

/** The JDK HTTP client against a running local API, for the end-to-end specifications. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Supplier<URI> baseUri;

    /** @param baseUri where the API runs (read on every request: the runtime may start after this is built) */
    ApiClient(Supplier<URI> baseUri) {
        this.baseUri = baseUri;
    }

    record Response(int status, String contentType, String location, JsonNode body,
                    java.net.http.HttpHeaders headers) {
        /** A response header's first value, or null. */
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** Asserts an RFC 9457 problem with this status and returns its type. */
        String problem(int expectedStatus) {
            assertThat(status).as("status of %s", body).isEqualTo(expectedStatus);
            assertThat(contentType).isEqualTo("application/problem+json");
            assertThat(body.get("status").asInt()).isEqualTo(expectedStatus);
            assertThat(body.get("title").asText()).isNotBlank();
            assertThat(body.get("detail").asText()).isNotBlank();
            return body.get("type").asText().substring("urn:nosqles:problem:".length());
        }
    }

    /** Sends a request; a JSON body gets {@code Content-Type: application/json}; headers as name, value pairs. */
    Response send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri.get() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                    r.headers().firstValue("Location").orElse(null),
                    r.body().isEmpty() ? null : JSON.readTree(r.body()), r.headers());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response post(String path, String body, String... headers) {
        return send("POST", path, body, headers);
    }
}
