package dev.nosqles.runtime.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * An API client that retries as real clients do: after a connection error, a 5xx, a 429 or a 409 ("changed
 * concurrently; retry"), with exponential back-off and jitter, sending the same request again (with the same
 * Idempotency-Key, if it has one). Every attempt's status is kept for the invariants.
 */
final class RetryingClient {
    static final int MAX_ATTEMPTS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Supplier<URI> baseUri;
    private final SplittableRandom random;

    /** @param baseUri read on every attempt: a restarted runtime listens on another port */
    RetryingClient(Supplier<URI> baseUri, SplittableRandom random) {
        this.baseUri = baseUri;
        this.random = random;
    }

    /**
     * The outcome of a request after its retries.
     *
     * @param statuses every attempt's status, -1 for a connection error
     * @param body     the last answer's body (null after a connection error)
     */
    record Outcome(List<Integer> statuses, JsonNode body) {
        int status() {
            return statuses.getLast();
        }

        boolean answered(int status) {
            return statuses.contains(status);
        }
    }

    Outcome post(String path, String body, String idempotencyKey) {
        List<Integer> statuses = new ArrayList<>();
        JsonNode last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri.get() + path))
                    .timeout(Duration.ofSeconds(30))
                    .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (idempotencyKey != null) {
                request.header("Idempotency-Key", idempotencyKey);
            }
            int status;
            try {
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                last = response.body().isEmpty() ? null : JSON.readTree(response.body());
            } catch (IOException e) {
                status = -1;
                last = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            statuses.add(status);
            if (!retryable(status)) {
                break;
            }
            long cap = Math.min(1_500, 50L << Math.min(attempt, 6));
            sleep(cap / 2 + random.nextLong(cap / 2 + 1));
        }
        return new Outcome(List.copyOf(statuses), last);
    }

    /** A GET, retried like the POSTs; null when it never succeeded. */
    JsonNode get(String path) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUri.get() + path))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return JSON.readTree(response.body());
                }
                if (!retryable(response.statusCode())) {
                    return null;
                }
            } catch (IOException e) {
                // retried
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100L * attempt);
        }
        return null;
    }

    static boolean retryable(int status) {
        return status == -1 || status >= 500 || status == 429 || status == 409;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
