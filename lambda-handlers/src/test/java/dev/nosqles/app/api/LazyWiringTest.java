package dev.nosqles.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.app.Application;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.app.readmodel.OrderQueries;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a command's cold start does not need is built on first use (issue 15, ADR 0020): the orders' repository and
 * the read models. A misconfiguration still fails the function's start. That the deployed handler's
 * {@code POST /customers} loads neither the order aggregate nor the read models is pinned where class loading can be
 * seen, in a fresh JVM: {@code ColdStartTest} (infra/bench).
 */
class LazyWiringTest {
    private static Map<String, String> deployedEnvironment() {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret", "EVENTS_TABLE", "events", "SNAPSHOTS_TABLE", "snapshots",
                "SUBJECT_KEYS_TABLE", "keys", "PERSONAL_DATA_KEY_ID", "alias/pd"));
        env.putAll(Map.of("READ_MODELS_TABLE", "read-models", "CHECKPOINTS_TABLE", "checkpoints",
                "CURSOR_SIGNING_KEY", "k".repeat(64)));
        // the subject keys built at once: no prefetching thread toward a region these tests do not reach
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
        return env;
    }

    @Test
    void a_function_with_read_models_configured_starts_without_building_them_and_still_checks_their_variables() {
        Map<String, String> env = deployedEnvironment();
        assertThat(new ApiHandler(env::get)).isNotNull();

        env.put("CURSOR_SIGNING_KEY", "too-short");
        assertThatThrownBy(() -> new ApiHandler(env::get)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CURSOR_SIGNING_KEY");
        env.put("CURSOR_SIGNING_KEY", "k".repeat(64));
        env.remove("CHECKPOINTS_TABLE");
        assertThatThrownBy(() -> new ApiHandler(env::get)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CHECKPOINTS_TABLE");
    }

    @Test
    void lazy_queries_are_built_by_the_first_query_once_and_again_after_a_failed_build() {
        AtomicInteger builds = new AtomicInteger();
        Page<dev.nosqles.app.readmodel.OrderSummary> page = new Page<>(List.of(), Optional.empty(), 1, null);
        OrderQueries built = new OrderQueries() {
            @Override
            public Page<dev.nosqles.app.readmodel.OrderSummary> byCustomer(String customerId, PageRequest request) {
                return page;
            }

            @Override
            public Page<dev.nosqles.app.readmodel.OrderSummary> byOwnerAndState(String owner, OrderStatus state,
                                                                                PageRequest request) {
                return page;
            }
        };
        OrderQueries lazy = OrderQueries.lazy(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("the read models' client could not be built");
            }
            return built;
        });
        assertThat(builds).as("nothing built before the first query").hasValue(0);

        assertThatThrownBy(() -> lazy.byCustomer("c", new PageRequest(10, Optional.empty(), "scope", false)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(lazy.byCustomer("c", new PageRequest(10, Optional.empty(), "scope", false))).isSameAs(page);
        assertThat(lazy.byOwnerAndState("o", OrderStatus.APPROVED, new PageRequest(10, Optional.empty(), "scope", false)))
                .isSameAs(page);
        assertThat(builds).as("one failed build, then one that stays").hasValue(2);
    }

    @Test
    void the_orders_repository_once_built_is_kept() {
        Application app = new Application(new InMemoryEventStore(), new InMemorySnapshotStore(), Clock.systemUTC(),
                UUID::randomUUID);

        assertThat(app.orders()).isNotNull().isSameAs(app.orders());
    }
}
