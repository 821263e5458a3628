package dev.nosqles.app.readmodel;

import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.projection.InvalidCursorException;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.lambda.internal.Once;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The queries the API asks of the {@value OrderSummaries#NAME} read model. Eventually consistent: a page shows
 * what the stream function had projected when it was read ({@link Page#freshness()} says how stale it may be).
 */
public interface OrderQueries {
    /**
     * One page of a customer's orders ({@value OrderSummaries#BY_CUSTOMER}).
     *
     * @throws InvalidCursorException the request's cursor was not issued for this query and scope
     */
    Page<OrderSummary> byCustomer(String customerId, PageRequest request);

    /**
     * One page of an owner's orders in one state ({@value OrderSummaries#BY_OWNER_STATE}).
     *
     * @throws InvalidCursorException the request's cursor was not issued for this query and scope
     */
    Page<OrderSummary> byOwnerAndState(String owner, OrderStatus state, PageRequest request);

    /** No read models (tests of the command side): every query throws {@link Unavailable}. */
    static OrderQueries unavailable() {
        return new OrderQueries() {
            @Override
            public Page<OrderSummary> byCustomer(String customerId, PageRequest request) {
                throw new Unavailable();
            }

            @Override
            public Page<OrderSummary> byOwnerAndState(String owner, OrderStatus state, PageRequest request) {
                throw new Unavailable();
            }
        };
    }

    /**
     * Queries built by {@code build} on the first query, once: a function's start builds no read-model clients for
     * the requests that need none (a command). A failure to build is the failing query's, and the next query tries
     * again.
     */
    static OrderQueries lazy(Supplier<OrderQueries> build) {
        Objects.requireNonNull(build, "build");
        Once<OrderQueries> queries = new Once<>(build);
        return new OrderQueries() {
            private OrderQueries built() {
                return queries.get();
            }

            @Override
            public Page<OrderSummary> byCustomer(String customerId, PageRequest request) {
                return built().byCustomer(customerId, request);
            }

            @Override
            public Page<OrderSummary> byOwnerAndState(String owner, OrderStatus state, PageRequest request) {
                return built().byOwnerAndState(owner, state, request);
            }
        };
    }

    /** The application was wired without read models. */
    final class Unavailable extends RuntimeException {
        public Unavailable() {
            super("no read models are configured");
        }
    }

    /** The queries on DynamoDB, against the serving version of the read model (or the one a cursor names). */
    static OrderQueries on(DynamoDbReadModels readModels) {
        Objects.requireNonNull(readModels, "readModels");
        var projection = OrderSummaries.projection();
        return new OrderQueries() {
            @Override
            public Page<OrderSummary> byCustomer(String customerId, PageRequest request) {
                return readModels.query(projection, OrderSummaries.BY_CUSTOMER, customerId, request);
            }

            @Override
            public Page<OrderSummary> byOwnerAndState(String owner, OrderStatus state, PageRequest request) {
                return readModels.query(projection, OrderSummaries.BY_OWNER_STATE,
                        OrderSummaries.ownerState(owner, state), request);
            }
        };
    }
}
