package dev.nosqles.store;

import java.time.Instant;

/**
 * Which part of a stream to read: versions {@code from..to} (inclusive) committed at or before {@code asOf}.
 *
 * @param fromVersion first version wanted, from 1
 * @param toVersion last version wanted ({@link Long#MAX_VALUE}: no limit)
 * @param asOf only commits written at or before this instant ({@code null}: no limit)
 * @param afterCommitEnd true when {@code fromVersion - 1} is known to end a commit (a snapshot's version, a version
 *        a store handed out), so the store need not look back for a commit holding {@code fromVersion}
 */
public record ReadRequest(long fromVersion, long toVersion, Instant asOf, boolean afterCommitEnd) {
    public ReadRequest(long fromVersion, long toVersion, Instant asOf) {
        this(fromVersion, toVersion, asOf, false);
    }

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

    /**
     * Everything after {@code version}, which must end a commit (for example a snapshot's version): on DynamoDB
     * this is always exactly one Query, even when nothing follows.
     */
    public static ReadRequest afterCommitEnd(long version) {
        if (version < 0) {
            throw new InvalidReadException("version must be >= 0, was " + version);
        }
        return new ReadRequest(version + 1, Long.MAX_VALUE, null, true);
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
        return new ReadRequest(fromVersion, version, asOf, afterCommitEnd);
    }

    public ReadRequest withAsOf(Instant instant) {
        return new ReadRequest(fromVersion, toVersion, instant, afterCommitEnd);
    }

    /** True when nothing limits the read at the end. */
    public boolean readsToEnd() {
        return toVersion == Long.MAX_VALUE && asOf == null;
    }
}
