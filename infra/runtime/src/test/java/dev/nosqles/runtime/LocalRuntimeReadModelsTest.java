package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.app.order.OrderCommand.RejectOrder;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.ApiClient.Response;
import dev.nosqles.store.EventMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The query routes of the order-summaries read model over HTTP, as `make run` serves them from template.yaml: orders
 * placed through the API, the events stream drained into the application's stream function (which feeds the read
 * model alongside the sagas), then paged. The saga queues are not drained: every order stays APPROVAL_PENDING
 * unless a test moves it through the repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeReadModelsTest {
    private static final String ANN = "ann";
    private static final String BOB = "bob";
    private static final int ORDERS = 250;

    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;
    private DynamoDbClient dynamoDb;
    private String customer;
    private String otherCustomer;
    private final List<String> placed = new ArrayList<>();
    private final Set<String> approved = new LinkedHashSet<>();
    private final Set<String> rejected = new LinkedHashSet<>();
    private String otherOrder;

    @BeforeAll
    void placeOrdersAndFeedTheReadModel() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("rm-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        dynamoDb = app.aws().dynamoDb();
        customer = createCustomer(ANN);
        otherCustomer = createCustomer(ANN);
        for (int i = 0; i < ORDERS; i++) {
            placed.add(placeOrder(ANN, customer, (i + 1) + ".25"));
        }
        otherOrder = placeOrder(ANN, otherCustomer, "3.00");
        feed();
        // some orders move on (as the saga would move them): the read model follows the events
        Application repository = Application.onDynamoDb(dynamoDb, app.resources().tableName("EventsTable"),
                app.resources().tableName("SnapshotsTable"), RuntimeKeys.of(app.aws(), app.resources()));
        for (int i = 0; i < 30; i += 3) {
            repository.orders().update(placed.get(i), new ApproveOrder(), EventMetadata.empty());
            approved.add(placed.get(i));
            repository.orders().update(placed.get(i + 1), new RejectOrder("no credit"), EventMetadata.empty());
            rejected.add(placed.get(i + 1));
        }
        feed();
    }

    @AfterAll
    void stop() {
        dynamoDb.close();
        app.close();
    }

    /** Drains the events stream into the application's stream function (sagas and read models); not the queues. */
    private void feed() {
        app.pollers().stream().filter(p -> p.mappingId().startsWith("OrderSagaStreamFunction"))
                .forEach(p -> p.drainUntilIdle());
    }

    private String createCustomer(String principal) {
        Response r = api.send("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"1000000\"}",
                "X-Local-Principal", principal);
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    private String placeOrder(String principal, String customerId, String total) {
        Response r = api.send("POST", "/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total
                + "\"}", "X-Local-Principal", principal);
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("orderId").asText();
    }

    private Response get(String principal, String path) {
        return api.send("GET", path, null, "X-Local-Principal", principal);
    }

    /**
     * Follows {@code next} to the end; every page is checked for its shape and headers. A page before the last is
     * full, except on a filtered query (a customer's orders in one state), where it may be shorter.
     */
    private List<JsonNode> pageThrough(String principal, String path, int limit) {
        List<JsonNode> items = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            String sep = path.contains("?") ? "&" : "?";
            Response page = get(principal, path + sep + "limit=" + limit + (next == null ? "" : "&cursor=" + next));
            assertThat(page.status()).as("%s", page.body()).isEqualTo(200);
            assertThat(page.contentType()).isEqualTo("application/json");
            assertThat(page.body().get("items").size()).isLessThanOrEqualTo(limit);
            page.body().get("items").forEach(items::add);
            assertThat(page.header("X-Read-Model-Version")).isEqualTo("1");
            next = page.body().get("next").isNull() ? null : page.body().get("next").asText();
            if (next != null) {
                if (!path.startsWith("/customers/") || !path.contains("state=")) {
                    assertThat(page.body().get("items").size()).isEqualTo(limit);
                }
                assertThat(page.header("Link")).startsWith("<" + path + sep).endsWith(">; rel=\"next\"")
                        .contains("cursor=" + next);
            } else {
                assertThat(page.header("Link")).isNull();
            }
            assertThat(++pages).as("pages").isLessThan(ORDERS + 2);
        } while (next != null);
        return items;
    }

    private static List<String> ids(List<JsonNode> items) {
        return items.stream().map(i -> i.get("orderId").asText()).toList();
    }

    private static final Comparator<JsonNode> NEWEST_FIRST = Comparator
            .comparing((JsonNode i) -> Instant.parse(i.get("createdAt").asText()))
            .thenComparing(i -> i.get("orderId").asText()).reversed();

    @Test
    void paging_through_250_orders_of_one_customer_returns_each_once_newest_first() {
        for (int limit : List.of(100, 25, 7)) {
            List<JsonNode> items = pageThrough(ANN, "/customers/" + customer + "/orders", limit);

            assertThat(ids(items)).as("limit %d", limit).hasSize(ORDERS).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(placed);
            assertThat(items).as("limit %d", limit).isSortedAccordingTo(NEWEST_FIRST);
        }
        // the orders were placed one after the other: newest first is the reverse of placing (ties by id aside)
        List<JsonNode> all = pageThrough(ANN, "/customers/" + customer + "/orders", 100);
        assertThat(Instant.parse(all.getFirst().get("createdAt").asText()))
                .isAfter(Instant.parse(all.getLast().get("createdAt").asText()));
        assertThat(ids(all).getLast()).isEqualTo(placed.getFirst());
    }

    @Test
    void a_row_shows_the_order_as_its_events_left_it_and_the_answer_says_how_fresh_it_is() {
        Response page = get(ANN, "/customers/" + otherCustomer + "/orders");

        assertThat(page.status()).isEqualTo(200);
        JsonNode item = page.body().get("items").get(0);
        assertThat(page.body().get("items")).hasSize(1);
        assertThat(item.get("orderId").asText()).isEqualTo(otherOrder);
        assertThat(item.get("customerId").asText()).isEqualTo(otherCustomer);
        assertThat(item.get("orderTotal").asText()).isEqualTo("3.00");
        assertThat(item.get("state").asText()).isEqualTo("APPROVAL_PENDING");
        assertThat(item.has("owner")).isFalse();
        assertThat(page.body().get("next").isNull()).isTrue();
        Instant fedAt = Instant.parse(page.header("X-Read-Model-Fed-At"));
        assertThat(fedAt).isAfter(Instant.parse(item.get("createdAt").asText()));
        assertThat(Long.parseLong(page.header("X-Read-Model-Lag-Ms"))).isNotNegative();
    }

    @Test
    void the_state_filter_of_a_customers_orders_returns_that_state_only_each_once() {
        List<JsonNode> approvedItems = pageThrough(ANN, "/customers/" + customer + "/orders?state=APPROVED", 4);
        assertThat(ids(approvedItems)).containsExactlyInAnyOrderElementsOf(approved).doesNotHaveDuplicates();
        assertThat(approvedItems).isSortedAccordingTo(NEWEST_FIRST)
                .allSatisfy(i -> assertThat(Instant.parse(i.get("updatedAt").asText()))
                        .isAfter(Instant.parse(i.get("createdAt").asText())));

        List<JsonNode> pending = pageThrough(ANN, "/customers/" + customer + "/orders?state=APPROVAL_PENDING", 100);
        assertThat(pending).hasSize(ORDERS - approved.size() - rejected.size());
    }

    @Test
    void orders_in_a_state_are_the_callers_across_customers_newest_first() {
        List<JsonNode> pending = pageThrough(ANN, "/orders?state=APPROVAL_PENDING", 100);
        Set<String> expected = new HashSet<>(placed);
        expected.removeAll(approved);
        expected.removeAll(rejected);
        expected.add(otherOrder);
        assertThat(ids(pending)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(pending).isSortedAccordingTo(NEWEST_FIRST);
        assertThat(ids(pageThrough(ANN, "/orders?state=REJECTED", 3))).containsExactlyInAnyOrderElementsOf(rejected);

        Response bobs = get(BOB, "/orders?state=APPROVAL_PENDING");
        assertThat(bobs.status()).isEqualTo(200);
        assertThat(bobs.body().get("items")).isEmpty();
        assertThat(bobs.body().get("next").isNull()).isTrue();
    }

    @Test
    void another_principal_is_answered_404_for_the_customer_as_for_an_unknown_one() {
        assertThat(get(BOB, "/customers/" + customer + "/orders").problem(404)).isEqualTo("not-found");
        assertThat(get(ANN, "/customers/" + UUID.randomUUID() + "/orders").problem(404)).isEqualTo("not-found");
        assertThat(get(ANN, "/customers/not-an-id/orders").problem(404)).isEqualTo("not-found");
    }

    @Test
    void a_forged_or_malformed_cursor_is_400_naming_the_cursor_without_echoing_it() {
        String cursor = get(ANN, "/customers/" + customer + "/orders?limit=10").body().get("next").asText();
        char[] chars = cursor.toCharArray();
        int middle = chars.length / 2;
        chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
        String forged = new String(chars);

        for (String bad : List.of(forged, "not-a-cursor", "AAAA", cursor.substring(0, cursor.length() - 4),
                "%F0%9F%92%A9", "x".repeat(3000))) {
            Response r = get(ANN, "/customers/" + customer + "/orders?cursor=" + bad);
            assertThat(r.problem(400)).as(bad).isEqualTo("invalid-cursor");
            assertThat(r.body().get("field").asText()).isEqualTo("cursor");
            assertThat(r.body().toString()).doesNotContain(bad.length() > 8 ? bad.substring(0, 8) : "AAAA",
                    cursor.substring(0, 12));
        }
    }

    @Test
    void a_cursor_of_another_query_customer_or_caller_is_400() {
        String ofCustomer = get(ANN, "/customers/" + customer + "/orders?limit=10").body().get("next").asText();
        String ofState = get(ANN, "/orders?state=APPROVAL_PENDING&limit=10").body().get("next").asText();

        assertThat(get(ANN, "/customers/" + otherCustomer + "/orders?cursor=" + ofCustomer).problem(400))
                .isEqualTo("invalid-cursor");
        assertThat(get(ANN, "/customers/" + customer + "/orders?state=APPROVED&cursor=" + ofCustomer).problem(400))
                .isEqualTo("invalid-cursor");
        assertThat(get(ANN, "/orders?state=APPROVAL_PENDING&cursor=" + ofCustomer).problem(400))
                .isEqualTo("invalid-cursor");
        assertThat(get(ANN, "/orders?state=REJECTED&cursor=" + ofState).problem(400)).isEqualTo("invalid-cursor");
        assertThat(get(ANN, "/customers/" + customer + "/orders?cursor=" + ofState).problem(400))
                .isEqualTo("invalid-cursor");
        assertThat(get(BOB, "/orders?state=APPROVAL_PENDING&cursor=" + ofState).problem(400))
                .isEqualTo("invalid-cursor");
        // the cursor itself still works where it was issued
        assertThat(get(ANN, "/orders?state=APPROVAL_PENDING&limit=10&cursor=" + ofState).status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "abc", "-1", "+5", "05", "1e2", "", "99999999999", "%D9%A3"})
    void a_limit_outside_1_to_100_in_ascii_digits_is_400_naming_limit(String limit) {
        for (String path : List.of("/customers/" + customer + "/orders", "/orders?state=APPROVED")) {
            String sep = path.contains("?") ? "&" : "?";
            Response r = get(ANN, path + sep + "limit=" + limit);
            assertThat(r.problem(400)).as(path + " limit=" + limit).isEqualTo("invalid-query");
            assertThat(r.body().get("field").asText()).isEqualTo("limit");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOPE", "approved", "APPROVED%20", "", "0"})
    void an_unknown_state_is_400_naming_state(String state) {
        for (String path : List.of("/customers/" + customer + "/orders?state=", "/orders?state=")) {
            Response r = get(ANN, path + state);
            assertThat(r.problem(400)).as(path + state).isEqualTo("invalid-query");
            assertThat(r.body().get("field").asText()).isEqualTo("state");
        }
    }

    @Test
    void orders_without_a_state_is_400_not_a_list_of_everything() {
        Response r = get(ANN, "/orders");
        assertThat(r.problem(400)).isEqualTo("invalid-query");
        assertThat(r.body().get("field").asText()).isEqualTo("state");
    }
}
