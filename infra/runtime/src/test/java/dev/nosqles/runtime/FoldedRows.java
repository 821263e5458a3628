package dev.nosqles.runtime;

import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ProjectionHandler;
import dev.nosqles.projection.Rows;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The rows a projection makes of events, folded in memory: what a read model must hold when every event was
 * applied once, in version order per aggregate. The oracle of the rebuild scenarios.
 */
final class FoldedRows<R extends Record> implements Rows<R> {
    private final Projection<R> projection;
    private final Map<String, R> rows = new LinkedHashMap<>();

    FoldedRows(Projection<R> projection) {
        this.projection = projection;
    }

    /** Applies one aggregate's history (its envelopes as the repository reads them), in order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    FoldedRows<R> apply(String aggregateType, List<? extends EventEnvelope<?>> history) {
        Projection.Binding<?, R> binding = projection.binding(aggregateType).orElseThrow();
        ProjectionHandler handler = binding.handler();
        for (EventEnvelope<?> event : history) {
            handler.project(event, this);
        }
        return this;
    }

    Map<String, R> rows() {
        return rows;
    }

    @Override
    public Optional<R> get(String key) {
        return Optional.ofNullable(rows.get(key));
    }

    @Override
    public void put(R row) {
        rows.put(projection.key(row), row);
    }

    @Override
    public void update(String key, UnaryOperator<R> change) {
        R current = rows.get(key);
        if (current == null) {
            return;
        }
        R next = change.apply(current);
        if (!projection.key(next).equals(key)) {
            throw new IllegalArgumentException("an update changed the row's key");
        }
        rows.put(key, next);
    }

    @Override
    public void delete(String key) {
        rows.remove(key);
    }
}
