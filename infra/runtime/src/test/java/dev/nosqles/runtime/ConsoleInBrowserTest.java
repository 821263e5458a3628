package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.ApiClient.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The console of {@code make run} in a real browser: the application runs on the local runtime, an order goes
 * through the HTTP API and its saga settles, then headless Chromium (Debian's, installed by infra/bin/chromium.sh
 * when missing; its absence fails the test) loads the console's pages and the test reads the DOM their scripts
 * built. Screenshots go to target/console/ (the docs keep one in src/site/resources/images/).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleInBrowserTest {
    /** A principal that is markup: the console must show it as text. Visible ASCII, no space (the API's rule). */
    private static final String HOSTILE_PRINCIPAL = "<img/id=\"injected\"/src=\"x\">";
    private static final int BUDGET_MS = 4000;
    private static final Path OUT = Path.of("target", "console");

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private RunningApp app;
    private HeadlessChromium chromium;
    private String orderId;
    private String sagaId;

    @BeforeAll
    void an_order_placed_through_the_api_whose_saga_settled() {
        chromium = HeadlessChromium.find(OUT);
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("console-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        Response customer = api.post("/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}",
                "X-Local-Principal", HOSTILE_PRINCIPAL);
        assertThat(customer.status()).isEqualTo(201);
        String customerId = customer.body().get("customerId").asText();
        Response order = api.post("/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"40\"}",
                "X-Local-Principal", HOSTILE_PRINCIPAL);
        assertThat(order.status()).isEqualTo(201);
        orderId = order.body().get("orderId").asText();
        app.drainUntilIdle();
        assertThat(api.send("GET", "/orders/" + orderId, null, "X-Local-Principal", HOSTILE_PRINCIPAL).body()
                .get("state").asText()).isEqualTo("APPROVED");
        sagaId = sagaStartedBy(orderCreatedEventId());
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void the_saga_page_draws_the_reserve_credit_and_approve_order_steps_with_their_replies_and_the_final_status()
            throws IOException {
        String dom = chromium.dumpDom(console("#/saga/" + sagaId), BUDGET_MS);

        assertThat(dom).as("no error shown").doesNotContain("data-testid=\"error\"");
        assertThat(attributes(dom, "dd", "id")).as("the saga's status")
                .anySatisfy(dd -> {
                    assertThat(dd).containsEntry("id", "saga-status");
                    assertThat(dd).containsEntry("data-status", "COMPLETED");
                });
        List<Map<String, String>> shapes = attributes(dom, "g", "data-kind");
        Map<String, String> reserve = only(shapes, "COMMAND_SENT", "reserve-credit");
        assertThat(reserve.get("class")).contains("arrow");
        assertThat(reserve.get("data-from")).isEqualTo("orchestrator");
        assertThat(reserve.get("data-to")).isEqualTo("customer-commands");
        assertThat(reserve.get("data-message-id")).isNotBlank();
        assertThat(dom).as("the command's arrow is labelled with its message id")
                .contains("msg " + reserve.get("data-message-id").substring(0, 8));
        Map<String, String> reserveReply = only(shapes, "REPLY", "reserve-credit");
        assertThat(reserveReply.get("class")).contains("arrow", "reply");
        assertThat(reserveReply.get("data-from")).isEqualTo("customer-commands");
        assertThat(reserveReply.get("data-to")).isEqualTo("orchestrator");
        Map<String, String> approve = only(shapes, "COMMAND_SENT", "approve-order");
        assertThat(approve.get("data-to")).isEqualTo("order-commands");
        only(shapes, "REPLY", "approve-order");
        assertThat(shapes).as("the end of the saga is marked")
                .anySatisfy(s -> assertThat(s).containsEntry("data-kind", "COMPLETED"));
        assertThat(attributes(dom, "g", "data-lane")).extracting(a -> a.get("data-lane"))
                .containsSubsequence("orchestrator", "customer-commands", "order-commands");

        Path shot = chromium.screenshot(console("#/saga/" + sagaId), BUDGET_MS, OUT.resolve("console-saga.png"),
                1400, 1000);
        assertPng(shot);
    }

    @Test
    void the_home_page_lists_the_orders_records_live_and_shows_the_markup_they_carry_as_text() throws IOException {
        String dom = chromium.dumpDom(console(""), BUDGET_MS);

        List<Map<String, String>> rows = attributes(dom, "tr", "data-seq");
        assertThat(rows).as("stream records delivered to the functions").isNotEmpty();
        assertThat(dom).contains("Order-" + orderId, "CreateOrderSaga-" + sagaId, "OrderCreated", "OrderApproved");
        assertThat(attributes(dom, "tr", "data-saga-id")).as("the saga among the recent ones")
                .anySatisfy(r -> assertThat(r).containsEntry("data-saga-id", sagaId));
        assertThat(dom).as("the principal is text").contains("&lt;img/id=\"injected\"/src=\"x\"&gt;");
        assertThat(dom).as("and no element").doesNotContain("<img");

        assertThat(attributes(dom, "tr", "data-queue")).as("the dead-letter queues of the template")
                .extracting(r -> r.get("data-queue"))
                .containsExactlyInAnyOrder("CustomerCommandsDlq", "OrderCommandsDlq", "SagaRepliesDlq",
                        "StreamFailuresQueue");
        assertThat(attributes(dom, "tr", "data-subscriber")).as("the subscribers' lag")
                .extracting(r -> r.get("data-subscriber")).contains("event-publisher")
                .doesNotContain("create-order-saga-starter"); // a relay without checkpoints (ADR 0011)

        assertPng(chromium.screenshot(console(""), BUDGET_MS, OUT.resolve("console-home.png"), 1400, 1000));
    }

    @Test
    void the_orders_history_page_lists_its_events_and_links_to_the_saga_they_started() {
        String dom = chromium.dumpDom(console("#/stream/Order/" + orderId), BUDGET_MS);

        assertThat(attributes(dom, "tr", "data-version")).extracting(r -> r.get("data-type"))
                .startsWith("OrderCreated").contains("OrderApproved");
        assertThat(dom).contains("href=\"#/saga/" + sagaId + "\"");
    }

    @Test
    void a_dead_letter_queue_page_shows_its_messages_decoded_with_their_bodies_as_text_and_keeps_them() {
        String body = "<script>document.title='pwned'</script>";
        try (SqsClient sqs = app.aws().configure(SqsClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            String queue = app.resources().queueUrl("SagaRepliesDlq");
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body));

            String dom = chromium.dumpDom(console("#/dlq/SagaRepliesDlq"), BUDGET_MS);

            List<Map<String, String>> rows = attributes(dom, "tr", "data-kind");
            assertThat(rows).extracting(r -> r.get("data-kind")).containsExactly("unreadable");
            assertThat(dom).contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;")
                    .doesNotContain("<script>document.title");
            assertThat(dom).contains("<title>nosql-es console</title>");
            assertThat(sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNamesWithStrings(
                    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings())
                    .as("a peek deletes nothing").containsEntry("ApproximateNumberOfMessages", "1");
        }
    }

    // ---- helpers ----

    private String console(String fragment) {
        return app.baseUri() + "/_console" + fragment;
    }

    private String orderCreatedEventId() {
        JsonNode events = api.send("GET", "/orders/" + orderId + "/events", null, "X-Local-Principal",
                HOSTILE_PRINCIPAL).body();
        assertThat(events.get(0).get("type").asText()).isEqualTo("OrderCreated");
        return events.get(0).get("eventId").asText();
    }

    /** The saga the console's API lists as started by the event (its first commit's causation id). */
    private String sagaStartedBy(String eventId) {
        Response sagas = api.get("/_console/api/sagas");
        assertThat(sagas.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        sagas.body().get("recent").forEach(s -> {
            if (eventId.equals(s.path("causationId").asText())) {
                ids.add(s.get("sagaId").asText());
            }
        });
        assertThat(ids).as("sagas started by OrderCreated %s", eventId).hasSize(1);
        return ids.getFirst();
    }

    private static Map<String, String> only(List<Map<String, String>> shapes, String kind, String step) {
        List<Map<String, String>> found = shapes.stream()
                .filter(s -> kind.equals(s.get("data-kind")) && step.equals(s.get("data-step"))).toList();
        assertThat(found).as("%s %s in the diagram (%s)", kind, step, shapes).hasSize(1);
        return found.getFirst();
    }

    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z-]+)=\"([^\"]*)\"");

    /** The attributes of each start tag {@code <tag ...>} that has the attribute {@code having}, decoded. */
    static List<Map<String, String>> attributes(String dom, String tag, String having) {
        List<Map<String, String>> out = new ArrayList<>();
        Matcher tags = Pattern.compile("<" + tag + "\\s([^>]*)>").matcher(dom);
        while (tags.find()) {
            Map<String, String> attrs = new LinkedHashMap<>();
            Matcher a = ATTRIBUTE.matcher(tags.group(1));
            while (a.find()) {
                attrs.put(a.group(1), a.group(2).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                        .replace("&amp;", "&"));
            }
            if (attrs.containsKey(having)) {
                out.add(attrs);
            }
        }
        return out;
    }

    private static void assertPng(Path file) throws IOException {
        byte[] png = Files.readAllBytes(file);
        assertThat(png.length).as("size of %s", file).isGreaterThan(20_000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
