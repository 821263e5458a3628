package dev.nosqles.projection.testing;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.internal.BufferedRows;
import dev.nosqles.projection.internal.RowCodec;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A projection as a specification: {@code given} events of aggregates, {@code thenRows} the read model holds.
 *
 * <pre>{@code
 * ProjectionFixture.of(summaries)
 *     .given(new Order(), "o-1", new OrderCreated(...), new OrderApproved(...))
 *     .thenRows(new OrderSummary("o-1", ..., APPROVED));
 * }</pre>
 *
 * Rows behave as in DynamoDB (the same buffering and coalescing; a shared contract suite checks both): each
 * {@code given} is one batch of one aggregate, its changes committed at its end; an event that throws fails the
 * {@code given} after the changes of the events before it were committed, as the stream dispatcher does. Events
 * are encoded and decoded with the aggregate's codec (as stored), carry the versions following those given before
 * for the same aggregate, deterministic ids, and the timestamp {@link #TIME}. Rows are kept as the read-models
 * table would return them (through the row codec).
 */
public final class ProjectionFixture<R extends Record> {
    /** The timestamp of every given event. */
    public static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

    private final Projection<R> projection;
    private final RowCodec<R> codec;
    /** The rows as the table stores them (personal components encrypted). */
    private final Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> stored =
            new LinkedHashMap<>();
    private dev.nosqles.privacy.SubjectKeys keys;
    private final Map<StreamId, Long> versions = new HashMap<>();

    private ProjectionFixture(Projection<R> projection) {
        this.projection = projection;
        this.codec = RowCodec.of(projection.rowType());
    }

    public static <R extends Record> ProjectionFixture<R> of(Projection<R> projection) {
        return new ProjectionFixture<>(projection);
    }

    /**
     * The subject keys events and personal row components are encrypted with; by default fresh
     * {@code InMemorySubjectKeys} once personal data is met. Pass your own to forget a subject between steps.
     */
    public ProjectionFixture<R> withSubjectKeys(dev.nosqles.privacy.SubjectKeys keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
        return this;
    }

    private dev.nosqles.privacy.SubjectKeys keys() {
        if (keys == null) {
            keys = new dev.nosqles.memory.InMemorySubjectKeys();
        }
        return keys;
    }

    private R row(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item) {
        return codec.decode(dev.nosqles.projection.internal.PersonalRows.decrypt(projection, item, keys()));
    }

    /**
     * Events of one aggregate, versions following those given before for it.
     *
     * @throws IllegalArgumentException the projection does not project that aggregate type
     */
    @SafeVarargs
    public final <E> ProjectionFixture<R> given(Aggregate<?, ?, E> aggregate, String id, E... events) {
        @SuppressWarnings("unchecked")
        Projection.Binding<E, R> binding = (Projection.Binding<E, R>) projection.binding(aggregate.type())
                .orElseThrow(() -> new IllegalArgumentException(projection.name() + " does not project "
                        + aggregate.type()));
        StreamId streamId = StreamId.of(aggregate.type(), id);
        EventCodec<E> writer = EventCodec.of(aggregate, keys());
        BufferedRows<R> rows = new BufferedRows<>(projection, key -> Optional.ofNullable(stored.get(key)).map(this::row));
        long version = versions.getOrDefault(streamId, 0L);
        try {
            for (E event : events) {
                version++;
                UUID eventId = UUID.nameUUIDFromBytes((streamId.value() + "@" + version)
                        .getBytes(StandardCharsets.UTF_8));
                NewEvent encoded = writer.encode(streamId, eventId, event);
                RecordedEvent recorded = new RecordedEvent(eventId, streamId, version, encoded.type(),
                        encoded.schemaVersion(), encoded.data(), TIME, EventMetadata.empty());
                EventEnvelope<E> envelope = writer.decode(recorded);
                rows.savepoint();
                binding.handler().project(envelope, rows);
                versions.put(streamId, version);
            }
        } catch (RuntimeException e) {
            rows.rollback(); // the failed event's changes; those before it are committed, as by the dispatcher
            commit(rows);
            throw e;
        }
        commit(rows);
        return this;
    }

    private void commit(BufferedRows<R> rows) {
        rows.changes().forEach((key, row) -> {
            if (row.isPresent()) {
                stored.put(key, dev.nosqles.projection.internal.PersonalRows.encrypt(projection, row.get(),
                        codec.encode(row.get()), keys()));
            } else {
                stored.remove(key);
            }
        });
        rows.flushed();
    }

    /** The rows the read model holds now, in the order they were first written. */
    public List<R> rows() {
        return stored.values().stream().map(this::row).toList();
    }

    /**
     * Asserts that the read model holds exactly these rows (in any order).
     *
     * @throws AssertionError listing the rows missing and the rows not expected
     */
    @SafeVarargs
    public final void thenRows(R... rows) {
        List<R> missing = new ArrayList<>();
        List<R> held = rows();
        List<R> unexpected = new ArrayList<>(held);
        for (R row : rows) {
            if (!unexpected.remove(row)) {
                missing.add(row);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            StringBuilder message = new StringBuilder(projection.name()).append(": the rows differ");
            if (!missing.isEmpty()) {
                message.append("\n  missing:");
                missing.forEach(r -> message.append("\n    ").append(r));
            }
            if (!unexpected.isEmpty()) {
                message.append("\n  unexpected:");
                unexpected.forEach(r -> message.append("\n    ").append(r));
            }
            message.append("\n  held:");
            held.forEach(r -> message.append("\n    ").append(r));
            throw new AssertionError(message.toString());
        }
    }
}
