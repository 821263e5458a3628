package dev.nosqles.store;

import dev.nosqles.store.internal.VerifiedVersions;
import java.time.Instant;

/**
 * The version a writer expects a stream to be at. The append succeeds only if the stream is exactly there.
 *
 * <p>There are two kinds, and only a store can make the first:
 * <ul>
 *   <li>versions the store verified: handed out by a store from what it read or wrote
 *       ({@link StreamSlice#expectedVersion()}, {@link AppendResult#nextExpectedVersion()}). They are known to end a
 *       commit, so a store appends after them without checking.</li>
 *   <li>a number from elsewhere ({@link #exactly(long)}: an HTTP {@code If-Match}, a test). It may fall inside an
 *       earlier multi-event commit or beyond the stream's end, so a store first verifies that a commit ends
 *       exactly there (what that costs is the store's business; for DynamoDB, ADR 0001).</li>
 * </ul>
 * Two expected versions are equal when their numbers are; the kind only decides what the store must check.
 */
public final class ExpectedVersion {
    private static final ExpectedVersion NO_STREAM = new ExpectedVersion(0, true, null, null);

    static {
        VerifiedVersions.install(new VerifiedVersions.Access() {
            @Override
            public ExpectedVersion verified(StreamId streamId, long version, Instant lastCommitTimestamp) {
                return ExpectedVersion.verified(streamId, version, lastCommitTimestamp);
            }

            @Override
            public boolean isVerified(ExpectedVersion expected, StreamId streamId) {
                // a version verified on one stream says nothing about another
                return expected.verified && (expected.version == 0 || streamId.equals(expected.verifiedFor));
            }

            @Override
            public Instant lastCommitTimestamp(ExpectedVersion expected) {
                return expected.lastCommitTimestamp;
            }
        });
    }

    private final long version;
    private final boolean verified;
    /** When verified: the timestamp of the commit ending at {@code version} (null for version 0). */
    private final Instant lastCommitTimestamp;
    /** When verified: the stream it was verified on (null for version 0). */
    private final StreamId verifiedFor;

    private ExpectedVersion(long version, boolean verified, Instant lastCommitTimestamp, StreamId verifiedFor) {
        this.version = version;
        this.verified = verified;
        this.lastCommitTimestamp = lastCommitTimestamp;
        this.verifiedFor = verifiedFor;
    }

    /** The stream must not exist yet. */
    public static ExpectedVersion noStream() {
        return NO_STREAM;
    }

    /**
     * The stream must be at exactly this version (0 = must not exist). The store verifies that a commit ends
     * there before it appends (on DynamoDB one single-item Query).
     */
    public static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new InvalidAppendException(null, "expected version must be >= 0, was " + version);
        }
        return version == 0 ? NO_STREAM : new ExpectedVersion(version, false, null, null);
    }

    /**
     * For stores only: a version read from {@code streamId} in the store, ending a commit written at
     * {@code lastCommitTimestamp}.
     */
    static ExpectedVersion verified(StreamId streamId, long version, Instant lastCommitTimestamp) {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        return version == 0 ? NO_STREAM : new ExpectedVersion(version, true,
                java.util.Objects.requireNonNull(lastCommitTimestamp, "lastCommitTimestamp"),
                java.util.Objects.requireNonNull(streamId, "streamId"));
    }

    public long version() {
        return version;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpectedVersion other && other.version == version;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "ExpectedVersion[" + version + (verified ? ", verified]" : "]");
    }
}
