package dev.nosqles.projection;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How stale a read model may be (read models are eventually consistent): when the live stream last fed it, and
 * how old the newest event of that batch was when it was handled. Empty when it was never fed from the stream.
 */
public record Freshness(Optional<Instant> lastFedAt, Optional<Duration> lag) {
    public static Freshness unknown() {
        return new Freshness(Optional.empty(), Optional.empty());
    }
}
