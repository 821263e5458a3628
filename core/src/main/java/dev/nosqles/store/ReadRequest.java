package dev.nosqles.store;

import java.time.Instant;

/**
 * Which part of a stream to read: versions {@code from..to} (inclusive) committed at or before {@code asOf}.
 *
 * <p>{@code fromVersion} may be any version, also one inside a multi-event commit: the store returns the events
 * from it on and, when the read reaches the end, the stream's version as it read it. What a read costs is the
 * store's business (see its class documentation; for DynamoDB, ADR 0001).
 *
 * @param fromVersion first version wanted, from 1
 * @param toVersion last version wanted ({@link Long#MAX_VALUE}: no limit)
 * @param asOf only commits written at or before this instant ({@code null}: no limit)
 */
public record ReadRequest(long fromVersion, long toVersion, Instant asOf) {
    public ReadRequest {
        if (fromVersion < 1) {
            throw new InvalidReadException("fromVersion must be >= 1, was " + fromVersion);
        }
        if (toVersion < fromVersion - 1) {
            throw new InvalidReadException("toVersion must be >= fromVersion - 1");
        }
    }

    public static ReadRequest all() {
        return new ReadRequest(1, Long.MAX_VALUE, null);
    }

    public static ReadRequest from(long version) {
        return new ReadRequest(version, Long.MAX_VALUE, null);
    }

    public static ReadRequest upTo(long version) {
        if (version < 0) {
            throw new InvalidReadException("version must be >= 0, was " + version);
        }
        return new ReadRequest(1, version, null);
    }

    public static ReadRequest asOf(Instant instant) {
        return new ReadRequest(1, Long.MAX_VALUE, java.util.Objects.requireNonNull(instant, "instant"));
    }

    public ReadRequest withToVersion(long version) {
        return new ReadRequest(fromVersion, version, asOf);
    }

    public ReadRequest withAsOf(Instant instant) {
        return new ReadRequest(fromVersion, toVersion, instant);
    }

    /** True when nothing limits the read at the end. */
    public boolean readsToEnd() {
        return toVersion == Long.MAX_VALUE && asOf == null;
    }
}
