package dev.nosqles.projection.testing;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.projection.Projection;

/**
 * A projection as a specification: {@code given} events of aggregates, {@code thenRows} the read model holds.
 *
 * <pre>{@code
 * ProjectionFixture.of(summaries)
 *     .given(new Order(), "o-1", new OrderCreated(...), new OrderApproved(...))
 *     .thenRows(new OrderSummary("o-1", ..., APPROVED));
 * }</pre>
 *
 * Rows behave as in DynamoDB (the same buffering and coalescing; a shared contract suite checks both).
 */
public final class ProjectionFixture<R extends Record> {
    private ProjectionFixture(Projection<R> projection) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    public static <R extends Record> ProjectionFixture<R> of(Projection<R> projection) {
        return new ProjectionFixture<>(projection);
    }

    /** Events of one aggregate, versions following those given before for it. */
    @SafeVarargs
    public final <E> ProjectionFixture<R> given(Aggregate<?, ?, E> aggregate, String id, E... events) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }

    /** Asserts that the read model holds exactly these rows (in any order). */
    @SafeVarargs
    public final void thenRows(R... rows) {
        throw new UnsupportedOperationException("issue 10: in progress");
    }
}
