package dev.nosqles.store.internal;

import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.StreamId;
import java.time.Instant;
import java.util.Objects;

/**
 * Not API. How the stores, in their own packages, make and inspect verified expected versions, which no public
 * method can make (ADR 0001): {@link ExpectedVersion} installs the only {@link Access} when it is loaded.
 */
public final class VerifiedVersions {
    /** What {@link ExpectedVersion} lets the stores do. */
    public interface Access {
        ExpectedVersion verified(StreamId streamId, long version, Instant lastCommitTimestamp);

        boolean isVerified(ExpectedVersion expected, StreamId streamId);

        Instant lastCommitTimestamp(ExpectedVersion expected);
    }

    private static volatile Access access;

    static {
        // loads ExpectedVersion, which installs its access, whichever class is loaded first
        ExpectedVersion.noStream();
    }

    private VerifiedVersions() {
    }

    /** Called once, by {@link ExpectedVersion}'s initialiser. */
    public static void install(Access implementation) {
        Objects.requireNonNull(implementation, "implementation");
        synchronized (VerifiedVersions.class) {
            if (access != null) {
                throw new IllegalStateException("already installed");
            }
            access = implementation;
        }
    }

    /**
     * An expected version the store verified: {@code version} ends a commit of {@code streamId}, written at
     * {@code lastCommitTimestamp} (ignored for version 0, which needs no commit).
     */
    public static ExpectedVersion verified(StreamId streamId, long version, Instant lastCommitTimestamp) {
        return access.verified(streamId, version, lastCommitTimestamp);
    }

    /**
     * True when a store verified it on {@code streamId} (or it is 0): the store may append to that stream after it
     * without checking. A version verified on another stream is not.
     */
    public static boolean isVerified(ExpectedVersion expected, StreamId streamId) {
        return access.isVerified(expected, streamId);
    }

    /** The timestamp of the commit a verified version ends; null for version 0 or a version not verified. */
    public static Instant lastCommitTimestamp(ExpectedVersion expected) {
        return access.lastCommitTimestamp(expected);
    }
}
