package dev.nosqles.app.api;

import dev.nosqles.lambda.Telemetry;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.api.internal.OrderListRoutes;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.app.readmodel.OrderQueries;
import dev.nosqles.app.readmodel.OrderSummary;
import dev.nosqles.app.internal.AppJson;
import dev.nosqles.projection.Freshness;
import dev.nosqles.projection.InvalidCursorException;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.MutableClock;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The list routes over a read model that pages like the real one (a cursor is the position after the last row
 * read, bound to its query's scope): how the customer route filters without skipping rows, how refusals and
 * freshness are answered. End to end on DynamoDB: LocalRuntimeReadModelsTest (infra/runtime).
 */
class OrderListRoutesTest {
    private final MutableClock clock = MutableClock.at("2026-03-01T09:00:00Z");
    private final Application app = new Application(new InMemoryEventStore(clock), SnapshotStore.none(), clock,
            UUID::randomUUID);
    private final PagedOrders orders = new PagedOrders();
    private final ApiHandler handler = new ApiHandler(app, orders, Telemetry.fromEnvironment(name -> null));
    private String customer;

    /** Rows newest first; a cursor = "scope@offset"; records the limit of every query. */
    private static final class PagedOrders implements OrderQueries {
        final List<OrderSummary> rows = new ArrayList<>();
        final List<Integer> limits = new ArrayList<>();
        Freshness freshness = Freshness.unknown();
        InvalidCursorException refusal;

        @Override
        public Page<OrderSummary> byCustomer(String customerId, PageRequest request) {
            return page(rows.stream().filter(r -> r.customerId().equals(customerId)).toList(), request);
        }

        @Override
        public Page<OrderSummary> byOwnerAndState(String owner, OrderStatus state, PageRequest request) {
            return page(rows.stream().filter(r -> owner.equals(r.owner()) && r.state() == state).toList(), request);
        }

        private Page<OrderSummary> page(List<OrderSummary> partition, PageRequest request) {
            if (refusal != null) {
                throw refusal;
            }
            limits.add(request.limit());
            int from = 0;
            if (request.cursor().isPresent()) {
                String cursor = request.cursor().get();
                if (!cursor.startsWith(request.scope() + "@")) {
                    throw new InvalidCursorException("order-summaries", InvalidCursorException.Reason.FOREIGN);
                }
                from = Integer.parseInt(cursor.substring(request.scope().length() + 1));
            }
            int to = Math.min(partition.size(), from + request.limit());
            Optional<String> next = to < partition.size() ? Optional.of(request.scope() + "@" + to) : Optional.empty();
            return new Page<>(partition.subList(from, to), next, 3, freshness);
        }
    }

    @BeforeEach
    void aCustomerOfAnn() throws IOException {
        APIGatewayV2HTTPResponse created = handler.handleRequest(ApiEvents.post("/customers",
                "{\"name\":\"Ann\",\"creditLimit\":\"100\"}").jwtSubject("ann").build(), null);
        customer = AppJson.mapper().readTree(created.getBody()).get("customerId").asText();
    }

    private void orders(int count, String owner, OrderStatus... cycle) {
        Instant start = Instant.parse("2026-03-01T10:00:00Z");
        for (int i = count - 1; i >= 0; i--) { // newest first, as the index answers
            rows().add(new OrderSummary("o-" + i, customer, owner, cycle[i % cycle.length], BigDecimal.TEN,
                    start.plusSeconds(i), start.plusSeconds(i)));
        }
    }

    private List<OrderSummary> rows() {
        return orders.rows;
    }

    private record Answer(int status, JsonNode body, APIGatewayV2HTTPResponse raw) {
        String header(String name) {
            return raw.getHeaders().get(name);
        }
    }

    private Answer get(ApiEvents request) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(request.build(), null);
        try {
            return new Answer(r.getStatusCode(), AppJson.mapper().readTree(r.getBody()), r);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_filtered_page_asks_only_for_the_rows_still_missing_so_following_next_skips_and_repeats_none() {
        orders(60, "ann", OrderStatus.APPROVED);
        // ann's rows newest first: two of this customer, one of another, ...; every fifth in another state
        for (int i = 0; i < rows().size(); i++) {
            OrderSummary r = rows().get(i);
            rows().set(i, new OrderSummary(r.orderId(), i % 3 == 2 ? "another-of-anns" : customer, r.owner(),
                    i % 5 == 4 ? OrderStatus.APPROVED : OrderStatus.REJECTED, r.orderTotal(), r.createdAt(),
                    r.updatedAt()));
        }
        List<String> expected = rows().stream().filter(r -> r.state() == OrderStatus.REJECTED
                && r.customerId().equals(customer)).map(OrderSummary::orderId).toList();

        List<String> seen = new ArrayList<>();
        String next = null;
        int requests = 0;
        do {
            ApiEvents request = ApiEvents.get("/customers/" + customer + "/orders").jwtSubject("ann")
                    .query("state", "REJECTED").query("limit", "3");
            if (next != null) {
                request.query("cursor", next);
            }
            orders.limits.clear();
            Answer page = get(request);
            assertThat(page.status()).isEqualTo(200);
            page.body().get("items").forEach(i -> seen.add(i.get("orderId").asText()));
            assertThat(page.body().get("items").size()).isLessThanOrEqualTo(3);
            assertThat(orders.limits).hasSizeLessThanOrEqualTo(OrderListRoutes.MAX_ROUNDS)
                    .allSatisfy(limit -> assertThat(limit).isBetween(1, 3));
            next = page.body().get("next").isNull() ? null : page.body().get("next").asText();
            requests++;
        } while (next != null && requests < 100);

        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void a_filtered_page_stops_after_the_bounded_number_of_reads_and_hands_back_a_cursor() {
        orders(100, "ann", OrderStatus.CANCELLED);
        rows().replaceAll(r -> new OrderSummary(r.orderId(), "another-of-anns", r.owner(), r.state(),
                r.orderTotal(), r.createdAt(), r.updatedAt()));
        rows().add(new OrderSummary("o-oldest", customer, "ann", OrderStatus.CANCELLED, BigDecimal.ONE,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z")));

        Answer first = get(ApiEvents.get("/customers/" + customer + "/orders").jwtSubject("ann")
                .query("state", "CANCELLED").query("limit", "2"));

        assertThat(first.body().get("items")).isEmpty();
        assertThat(first.body().get("next").isNull()).isFalse();
        assertThat(orders.limits).hasSize(OrderListRoutes.MAX_ROUNDS);
    }

    @Test
    void the_customers_list_keeps_to_the_callers_orders() {
        orders(10, "ann", OrderStatus.APPROVED);
        rows().set(3, new OrderSummary("o-foreign", customer, "mallory", OrderStatus.APPROVED, BigDecimal.ONE,
                rows().get(3).createdAt(), rows().get(3).updatedAt()));

        Answer page = get(ApiEvents.get("/customers/" + customer + "/orders").jwtSubject("ann"));

        Set<String> ids = new HashSet<>();
        page.body().get("items").forEach(i -> ids.add(i.get("orderId").asText()));
        assertThat(ids).hasSize(9).doesNotContain("o-foreign");
    }

    @ParameterizedTest
    @EnumSource(InvalidCursorException.Reason.class)
    void every_refused_cursor_is_a_400_naming_the_cursor_and_never_a_500(InvalidCursorException.Reason reason) {
        orders.refusal = new InvalidCursorException("order-summaries", reason);
        String sent = "Q3Vyc29yLXNlbnQtYnktdGhlLWNhbGxlcg";

        for (ApiEvents request : List.of(
                ApiEvents.get("/customers/" + customer + "/orders").jwtSubject("ann").query("cursor", sent),
                ApiEvents.get("/orders").jwtSubject("ann").query("state", "APPROVED").query("cursor", sent))) {
            Answer answer = get(request);
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(answer.body().get("type").asText()).isEqualTo("urn:nosqles:problem:invalid-cursor");
            assertThat(answer.body().get("field").asText()).isEqualTo("cursor");
            assertThat(answer.body().toString()).doesNotContain(sent.substring(0, 10));
        }
    }

    @Test
    void the_answer_says_which_version_answered_and_how_fresh_it_is_once_the_stream_has_fed_it() {
        orders(2, "ann", OrderStatus.APPROVAL_PENDING);
        Answer unknown = get(ApiEvents.get("/orders").jwtSubject("ann").query("state", "APPROVAL_PENDING"));
        assertThat(unknown.header("X-Read-Model-Version")).isEqualTo("3");
        assertThat(unknown.raw().getHeaders()).doesNotContainKeys("X-Read-Model-Fed-At", "X-Read-Model-Lag-Ms",
                "Link");

        orders.freshness = new Freshness(Optional.of(Instant.parse("2026-03-01T09:00:01Z")),
                Optional.of(Duration.ofMillis(420)));
        Answer fed = get(ApiEvents.get("/orders").jwtSubject("ann").query("state", "APPROVAL_PENDING")
                .query("limit", "1"));
        assertThat(fed.header("X-Read-Model-Fed-At")).isEqualTo("2026-03-01T09:00:01Z");
        assertThat(fed.header("X-Read-Model-Lag-Ms")).isEqualTo("420");
        String next = fed.body().get("next").asText();
        assertThat(fed.header("Link")).isEqualTo("</orders?state=APPROVAL_PENDING&limit=1&cursor="
                + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8) + ">; rel=\"next\"");
    }

    @Test
    void orders_in_a_state_read_only_the_callers_partition() {
        orders(5, "ann", OrderStatus.APPROVAL_PENDING);
        Answer bob = get(ApiEvents.get("/orders").jwtSubject("bob").query("state", "APPROVAL_PENDING"));
        Answer ann = get(ApiEvents.get("/orders").jwtSubject("ann").query("state", "APPROVAL_PENDING"));

        assertThat(bob.body().get("items")).isEmpty();
        assertThat(ann.body().get("items")).hasSize(5);
    }

    @Test
    void without_read_models_the_list_routes_answer_503_and_the_rest_of_the_api_works() {
        ApiHandler withoutReadModels = new ApiHandler(app, OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));

        APIGatewayV2HTTPResponse list = withoutReadModels.handleRequest(ApiEvents.get("/orders").jwtSubject("ann")
                .query("state", "APPROVED").build(), null);
        APIGatewayV2HTTPResponse customerRead = withoutReadModels.handleRequest(ApiEvents.get("/customers/"
                + customer).jwtSubject("ann").build(), null);

        assertThat(list.getStatusCode()).isEqualTo(503);
        assertThat(list.getBody()).contains("read-models-unavailable");
        assertThat(customerRead.getStatusCode()).isEqualTo(200);
    }
}
