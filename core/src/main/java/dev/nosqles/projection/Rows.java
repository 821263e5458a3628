package dev.nosqles.projection;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The rows of one version of a read model as a {@link ProjectionHandler} sees them. Changes are buffered and
 * written with the checkpoint (coalesced per row: the last change of a row in a batch wins); a read sees the
 * changes made before it in the same batch.
 */
public interface Rows<R extends Record> {
    /** The row with this key, if any. */
    Optional<R> get(String key);

    /** Creates or replaces the row with the key {@link Projection#key} gives. */
    void put(R row);

    /**
     * Replaces the row with this key by {@code change} of it; nothing happens when there is no such row.
     *
     * @throws IllegalArgumentException the changed row has another key
     */
    void update(String key, UnaryOperator<R> change);

    /** Deletes the row with this key; nothing happens when there is none. */
    void delete(String key);
}
