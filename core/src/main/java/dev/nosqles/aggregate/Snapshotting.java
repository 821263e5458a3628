package dev.nosqles.aggregate;

import java.util.Objects;

/**
 * When and how to snapshot an aggregate's state. A snapshot records the state's type name and schema version;
 * on load a snapshot of another name or schema is ignored and the events are replayed in full, so changing
 * the state record never makes a snapshot mis-read: bump {@code schemaVersion} when its shape changes.
 *
 * @param everyEvents take a snapshot whenever the stream's version crosses a multiple of this (0 = never)
 * @param stateType stable name of the state type
 * @param schemaVersion schema version of the state's JSON
 * @param stateClass the state record, for JSON
 */
public record Snapshotting<S>(int everyEvents, String stateType, int schemaVersion, Class<S> stateClass) {
    private static final Snapshotting<?> DISABLED = new Snapshotting<>(0, "none", 1, Object.class);

    public Snapshotting {
        if (everyEvents < 0) {
            throw new IllegalArgumentException("everyEvents must be >= 0");
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion starts at 1");
        }
        Objects.requireNonNull(stateType, "stateType");
        Objects.requireNonNull(stateClass, "stateClass");
    }

    @SuppressWarnings("unchecked")
    public static <S> Snapshotting<S> disabled() {
        return (Snapshotting<S>) DISABLED;
    }

    /** Snapshot every {@code n} events. */
    public static <S> Snapshotting<S> every(int n, String stateType, int schemaVersion, Class<S> stateClass) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1");
        }
        return new Snapshotting<>(n, stateType, schemaVersion, stateClass);
    }

    public boolean enabled() {
        return everyEvents > 0;
    }

    /** True when going from {@code before} to {@code after} crosses a multiple of {@link #everyEvents}. */
    public boolean due(long before, long after) {
        return enabled() && before / everyEvents != after / everyEvents;
    }
}
