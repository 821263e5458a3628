package dev.nosqles.operations;

import dev.nosqles.store.InvalidReadException;
import java.time.Instant;
import java.util.Objects;

/**
 * Which part of a stream's history to show: all of it, up to a version, or as it stood at an instant (the commits
 * written at or before it).
 *
 * @param atVersion the last version wanted ({@code null}: no limit)
 * @param asOf only commits written at or before this instant ({@code null}: no limit)
 * @throws InvalidReadException a version below 1, or both a version and an instant
 */
public record HistoryQuery(Long atVersion, Instant asOf) {
    private static final HistoryQuery ALL = new HistoryQuery(null, null);

    public HistoryQuery {
        if (atVersion != null && atVersion < 1) {
            throw new InvalidReadException("atVersion must be >= 1, was " + atVersion);
        }
        if (atVersion != null && asOf != null) {
            throw new InvalidReadException("atVersion and asOf exclude each other");
        }
    }

    /** The whole history. */
    public static HistoryQuery all() {
        return ALL;
    }

    /** Versions 1 to {@code version}. */
    public static HistoryQuery atVersion(long version) {
        return new HistoryQuery(version, null);
    }

    /** The commits written at or before {@code instant}. */
    public static HistoryQuery asOf(Instant instant) {
        return new HistoryQuery(null, Objects.requireNonNull(instant, "instant"));
    }
}
