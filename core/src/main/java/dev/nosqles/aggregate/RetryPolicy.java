package dev.nosqles.aggregate;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often an update is retried after a concurrency conflict, and how long to wait in between: exponential
 * back-off with full jitter (a random delay between 0 and {@code min(maxDelay, baseDelay * 2^attempt)}).
 *
 * @param maxAttempts attempts in all, at least 1
 * @param baseDelay the first back-off ceiling
 * @param maxDelay the largest back-off ceiling
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
    }

    /**
     * 20 attempts, 5 ms base, 400 ms cap: enough that 16 writers hammering one aggregate all get through (see the
     * contention benchmark); a command that still conflicts after that gets a ConcurrencyConflictException.
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(20, Duration.ofMillis(5), Duration.ofMillis(400));
    }

    public static RetryPolicy noRetry() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** The jittered delay before attempt {@code attempt + 1} (attempt counts from 1). */
    public Duration delayAfter(int attempt) {
        long ceiling = Math.min(maxDelay.toNanos(), baseDelay.toNanos() << Math.min(attempt - 1, 20));
        return ceiling <= 0 ? Duration.ZERO : Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
