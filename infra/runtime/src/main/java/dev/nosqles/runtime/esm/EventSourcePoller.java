package dev.nosqles.runtime.esm;

import java.time.Duration;

/**
 * A local event-source mapping: reads a source and invokes a handler with Lambda's semantics. Either run it on its
 * own thread ({@link #start()} / {@link #stop()}) or drive it synchronously ({@link #pollOnce()},
 * {@link #drainUntilIdle()}), not both at once.
 */
public interface EventSourcePoller extends AutoCloseable {

    /** The mapping's id. */
    String mappingId();

    /**
     * One step: at most one invocation of the handler (a new batch, or the retry of a failed one) and its
     * settlement. Returns false when there was nothing to do.
     */
    boolean pollOnce();

    /**
     * Steps until the source has nothing new and nothing is waiting for a retry; returns the number of
     * invocations.
     *
     * @throws EventSourceMappingException after {@code maxInvocations} invocations (a record retried forever)
     */
    int drainUntilIdle(int maxInvocations);

    /** {@link #drainUntilIdle(int)} with a cap of 10 000 invocations. */
    default int drainUntilIdle() {
        return drainUntilIdle(10_000);
    }

    /** Starts polling on a thread of its own. */
    void start();

    /**
     * Stops the thread, waiting for the in-flight invocation to finish and be settled, however long it takes.
     */
    default void stop() {
        stop(null);
    }

    /**
     * Stops the thread, waiting at most {@code grace} (null = forever) for the in-flight invocation. If it does not
     * finish in time the poller is abandoned: the thread is interrupted and the in-flight batch is never settled by
     * this poller (a new poller on the same checkpoint hands it over again). An abandoned poller cannot be used again.
     *
     * @return true if the in-flight invocation (if any) finished and was settled, false if it was abandoned
     */
    boolean stop(Duration grace);

    @Override
    default void close() {
        stop();
    }
}
