package dev.nosqles.runtime.esm.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs a poller's {@code pollOnce} on its own thread until stopped. {@code stop(grace)} lets the in-flight step
 * finish; a step still running after the grace period is abandoned: {@code onAbandon} runs (the poller then
 * refuses to settle anything) and the thread is interrupted.
 */
public final class PollLoop {
    private static final System.Logger LOG = System.getLogger(PollLoop.class.getName());

    private final String name;
    private final BooleanSupplier step;
    private final Duration idleWait;
    private final Runnable onAbandon;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private Thread thread;

    public PollLoop(String name, BooleanSupplier step, Duration idleWait, Runnable onAbandon) {
        this.name = name;
        this.step = step;
        this.idleWait = idleWait;
        this.onAbandon = onAbandon;
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(name + " was already started");
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized boolean running() {
        return thread != null && thread.isAlive();
    }

    /**
     * Runs the step synchronously until it reports nothing to do; refuses while the loop's thread runs.
     *
     * @param whyNotIdle what to suspect when {@code maxInvocations} steps did not make the source idle
     * @throws IllegalStateException the loop runs on its own thread
     * @throws EventSourceMappingException after {@code maxInvocations} invocations
     */
    public int drain(String mappingId, int maxInvocations, String whyNotIdle) {
        if (running()) {
            throw new IllegalStateException("mapping " + mappingId + " is polling on its own thread");
        }
        int invocations = 0;
        while (step.getAsBoolean()) {
            invocations++;
            if (invocations >= maxInvocations) {
                throw new dev.nosqles.runtime.esm.EventSourceMappingException(mappingId, "not idle after "
                        + invocations + " invocations (" + whyNotIdle + ")");
            }
        }
        return invocations;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Stops the loop. Returns true when the in-flight step finished within {@code grace}, false when it was
     * abandoned.
     */
    public boolean stop(Duration grace) {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        stopRequested = true;
        stopSignal.countDown();
        if (t == null || t == Thread.currentThread()) {
            return true;
        }
        try {
            if (grace == null) {
                t.join();
                return true;
            }
            t.join(Math.max(1, grace.toMillis()));
            if (!t.isAlive()) {
                return true;
            }
            onAbandon.run();
            t.interrupt();
            t.join(Math.max(1, grace.toMillis()));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onAbandon.run();
            t.interrupt();
            return false;
        }
    }

    private void run() {
        Duration backoff = idleWait;
        while (!stopRequested) {
            boolean worked;
            try {
                worked = step.getAsBoolean();
                backoff = idleWait;
            } catch (Abandoned abandoned) {
                return;
            } catch (RuntimeException e) {
                // Exception messages here name mappings and resources, never payloads.
                LOG.log(System.Logger.Level.WARNING, name + ": poll failed, backing off " + backoff.toMillis()
                        + " ms: " + e);
                worked = false;
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
            }
            if (!worked) {
                try {
                    stopSignal.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Thrown inside a step of an abandoned poller to end its thread without settling anything. */
    public static final class Abandoned extends RuntimeException {
        public Abandoned(String mappingId) {
            super("mapping " + mappingId + ": poller abandoned by stop; the in-flight batch is left unsettled",
                    null, false, false);
        }
    }
}
