package dev.nosqles.runtime.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.runtime.http.LocalApiServer;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's HTTP surface on the local API server, over a recorded stand-in for the operations library. */
class ConsoleApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> asked = new ArrayList<>();
    private LocalApiServer server;

    record Lag(String subscriber, long eventsBehind, Instant oldestPendingAt) {
    }

    private final ConsoleData data = new ConsoleData() {
        @Override
        public Object history(String type, String id, Long atVersion, Instant asOf) {
            asked.add("history " + type + " " + id + " " + atVersion + " " + asOf);
            StreamId stream = StreamId.of(type, id);
            if (!id.equals("42")) {
                throw new StreamNotFoundException(stream);
            }
            return Map.of("aggregateType", type, "aggregateId", id, "lastVersion", 1, "entries", List.of());
        }

        @Override
        public Optional<?> timeline(String sagaId) {
            return sagaId.equals("s-1") ? Optional.of(Map.of("sagaId", "s-1", "status", "COMPLETED")) : Optional.empty();
        }

        @Override
        public List<?> pastDue(Instant now) {
            return List.of();
        }

        @Override
        public List<?> lags(Instant now) {
            return List.of(new Lag("publisher", 2, Instant.parse("2026-01-31T12:00:00Z")));
        }

        @Override
        public List<?> deadLetterQueues() {
            return List.of();
        }

        @Override
        public List<?> deadLetters(String queue, int max) {
            asked.add("dlq " + queue + " " + max);
            return List.of();
        }

        @Override
        public List<String> queueNames() {
            return List.of("OrderCommandsDlq");
        }
    };

    @BeforeEach
    void start() throws IOException {
        Console console = new Console(new RecentEvents(5), data, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), console.routes());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_page_and_its_script_and_style_are_served_from_the_runtime_with_a_same_origin_policy() throws Exception {
        HttpResponse<String> page = get("/_console");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
        assertThat(page.body()).contains("<script src=\"/_console/console.js\"", "/_console/console.css")
                .doesNotContain("http://", "https://");
        assertThat(get("/_console/console.js").body()).contains("function renderTimeline").doesNotContain("innerHTML =");
        assertThat(get("/_console/console.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/_console/other.js").statusCode()).isEqualTo(404);
    }

    @Test
    void a_history_is_asked_with_its_version_or_instant_and_a_bad_one_is_a_400_problem() throws Exception {
        assertThat(get("/_console/api/streams/Order/42?atVersion=3").statusCode()).isEqualTo(200);
        assertThat(get("/_console/api/streams/Order/42?asOf=2026-01-31T12:00:00Z").statusCode()).isEqualTo(200);
        assertThat(asked).containsExactly("history Order 42 3 null", "history Order 42 null 2026-01-31T12:00:00Z");

        assertProblem(get("/_console/api/streams/Order/42?atVersion=x"), 400, "atVersion");
        assertProblem(get("/_console/api/streams/Order/42?atVersion=0"), 400, "atVersion");
        assertProblem(get("/_console/api/streams/Order/42?asOf=yesterday"), 400, "asOf");
        assertProblem(get("/_console/api/streams/Order/42?atVersion=1&asOf=2026-01-31T12:00:00Z"), 400, "not both");
        assertProblem(get("/_console/api/streams/Order/7"), 404, "no stream Order-7");
        assertProblem(get("/_console/api/streams/9rder/7"), 400, "aggregate type");
    }

    @Test
    void an_unknown_saga_or_queue_is_a_404_problem_and_a_queue_is_peeked_at_most_ten_messages() throws Exception {
        assertThat(JSON.readTree(get("/_console/api/sagas/s-1").body()).get("status").asText()).isEqualTo("COMPLETED");
        assertProblem(get("/_console/api/sagas/s-2"), 404, "no saga");
        assertProblem(get("/_console/api/dlq/Nope"), 404, "logical id");
        assertThat(get("/_console/api/dlq/OrderCommandsDlq").statusCode()).isEqualTo(200);
        assertProblem(get("/_console/api/dlq/OrderCommandsDlq?max=11"), 400, "max");
        assertThat(asked).containsExactly("dlq OrderCommandsDlq 10");
    }

    @Test
    void results_are_json_with_instants_as_iso_strings_and_the_live_records_page_by_sequence() throws Exception {
        JsonNode lags = JSON.readTree(get("/_console/api/subscriptions").body());
        assertThat(lags.get(0).get("oldestPendingAt").asText()).isEqualTo("2026-01-31T12:00:00Z");
        JsonNode events = JSON.readTree(get("/_console/api/events?after=0").body());
        assertThat(events.get("lastSeq").asLong()).isZero();
        assertThat(events.get("capacity").asInt()).isEqualTo(5);
        assertThat(events.get("entries")).isEmpty();
        assertProblem(get("/_console/api/events?after=-1"), 400, "after");
        assertProblem(get("/_console/api/events?max=501"), 400, "max");
        JsonNode sagas = JSON.readTree(get("/_console/api/sagas").body());
        assertThat(sagas.get("recent")).isEmpty();
        assertThat(sagas.get("pastDue")).isEmpty();
    }

    private void assertProblem(HttpResponse<String> response, int status, String detail) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("detail").asText()).contains(detail);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
