package dev.nosqles.projection.internal;

import dev.nosqles.projection.Projection;
import dev.nosqles.projection.Rows;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * {@link Rows} over a buffer: changes are kept per row key (the last one wins) until {@link #flushed()}; reads see
 * them; a row not in the buffer is read once through the loader and remembered. The DynamoDB read model and the
 * test fixture share it, so both behave alike. An event's changes can be undone ({@link #savepoint()},
 * {@link #rollback()}).
 */
public final class BufferedRows<R extends Record> implements Rows<R> {
    private final Projection<R> projection;
    private final Function<String, Optional<R>> loader;
    /** Rows as stored (read, or committed by a flush). */
    private final Map<String, Optional<R>> stored = new HashMap<>();
    /** Changes not yet committed: a row, or empty for a delete. */
    private Map<String, Optional<R>> changes = new LinkedHashMap<>();
    private Map<String, Optional<R>> savepoint = Map.of();

    public BufferedRows(Projection<R> projection, Function<String, Optional<R>> loader) {
        this.projection = Objects.requireNonNull(projection, "projection");
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    @Override
    public Optional<R> get(String key) {
        requireKey(key);
        Optional<R> changed = changes.get(key);
        if (changed != null) {
            return changed;
        }
        return stored.computeIfAbsent(key, loader);
    }

    @Override
    public void put(R row) {
        changes.put(projection.key(row), Optional.of(row));
    }

    @Override
    public void update(String key, UnaryOperator<R> change) {
        Objects.requireNonNull(change, "change");
        Optional<R> current = get(key);
        if (current.isEmpty()) {
            return;
        }
        R changed = Objects.requireNonNull(change.apply(current.get()), "changed row");
        if (!projection.key(changed).equals(key)) {
            throw new IllegalArgumentException(projection.name() + ": an update must keep the row's key");
        }
        changes.put(key, Optional.of(changed));
    }

    @Override
    public void delete(String key) {
        requireKey(key);
        Optional<R> changed = changes.get(key);
        if (changed != null) {
            changes.put(key, Optional.empty());
            return;
        }
        Optional<R> known = stored.get(key);
        if (known != null && known.isEmpty()) {
            return; // known not to exist
        }
        changes.put(key, Optional.empty()); // a delete of a row that is not there is harmless
    }

    /** The changes that differ from what is stored: key -> row, or empty for a delete. */
    public Map<String, Optional<R>> changes() {
        Map<String, Optional<R>> effective = new LinkedHashMap<>();
        changes.forEach((key, row) -> {
            if (!row.equals(stored.get(key))) {
                effective.put(key, row);
            }
        });
        return effective;
    }

    /** How many writes {@link #changes()} holds. */
    public int size() {
        int n = 0;
        for (Map.Entry<String, Optional<R>> e : changes.entrySet()) {
            if (!e.getValue().equals(stored.get(e.getKey()))) {
                n++;
            }
        }
        return n;
    }

    /** The changes were committed: they are now what is stored. */
    public void flushed() {
        stored.putAll(changes);
        changes = new LinkedHashMap<>();
        savepoint = Map.of();
    }

    public void savepoint() {
        savepoint = new LinkedHashMap<>(changes);
    }

    public void rollback() {
        changes = new LinkedHashMap<>(savepoint);
    }

    private static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a row key must not be empty");
        }
    }
}
