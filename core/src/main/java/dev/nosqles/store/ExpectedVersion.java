package dev.nosqles.store;

/**
 * The version a writer expects a stream to be at. The append succeeds only if the stream is exactly there.
 *
 * <p>Versions a store handed out ({@link StreamSlice#expectedVersion()}, {@link AppendResult#nextExpectedVersion()})
 * are known to be commit boundaries, so the DynamoDB store appends after them with one conditional PutItem.
 * A number from elsewhere ({@link #exactly(long)}) may fall inside an earlier multi-event commit or beyond the
 * stream's end; the DynamoDB store verifies it first with one single-item Query (see ADR 0001).
 */
public final class ExpectedVersion {
    private static final ExpectedVersion NO_STREAM = new ExpectedVersion(0, true);

    private final long version;
    private final boolean boundary;

    private ExpectedVersion(long version, boolean boundary) {
        this.version = version;
        this.boundary = boundary;
    }

    /** The stream must not exist yet. */
    public static ExpectedVersion noStream() {
        return NO_STREAM;
    }

    /** The stream must be at exactly this version (0 = must not exist). */
    public static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new InvalidAppendException(null, "expected version must be >= 0, was " + version);
        }
        return version == 0 ? NO_STREAM : new ExpectedVersion(version, false);
    }

    /** For stores: a version read from the store and known to end a commit. */
    static ExpectedVersion observedBoundary(long version) {
        return version == 0 ? NO_STREAM : new ExpectedVersion(version, true);
    }

    public long version() {
        return version;
    }

    /** True when the version is known to end a commit (or is 0), so no verification is needed. */
    public boolean isKnownBoundary() {
        return boundary;
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
        return "ExpectedVersion[" + version + (boundary ? ", boundary]" : "]");
    }
}
