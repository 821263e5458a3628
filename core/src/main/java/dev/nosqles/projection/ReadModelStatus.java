package dev.nosqles.projection;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the registry knows of one read model.
 *
 * @param name the projection's name
 * @param servingVersion the version queries read (0 before the first)
 * @param versions every version not yet dropped, oldest first
 */
public record ReadModelStatus(String name, int servingVersion, List<Version> versions) {
    public ReadModelStatus {
        versions = List.copyOf(versions);
    }

    /** A version's life: built from the events table, ready, serving reads, retired (still fed), being dropped. */
    public enum State { BUILDING, READY, SERVING, RETIRED, DROPPING }

    /**
     * One version of a read model.
     *
     * @param version its number, from 1
     * @param projectionVersion the {@link Projection#version()} of the code that builds it
     * @param state its state
     * @param createdAt when it was registered
     * @param rebuiltEvents events a rebuild has handed to it so far (0 for a version fed from the stream alone)
     * @param lastFedAt when the live stream last handed it a batch, if ever
     * @param lag how old the newest event of that batch was when it was handled (the subscriber's lag)
     */
    public record Version(int version, int projectionVersion, State state, Instant createdAt, long rebuiltEvents,
                          Optional<Instant> lastFedAt, Optional<Duration> lag) {
    }

    public Optional<Version> serving() {
        return versions.stream().filter(v -> v.version() == servingVersion).findFirst();
    }
}
