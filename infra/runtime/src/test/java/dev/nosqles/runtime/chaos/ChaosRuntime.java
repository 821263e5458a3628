package dev.nosqles.runtime.chaos;

import dev.nosqles.localaws.faults.FaultProxy;
import dev.nosqles.localaws.faults.FaultRule;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.esm.EventSourcePoller;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The local runtime of a chaos run, behind the fault proxy, with its pollers running on their own threads, and
 * killable: {@link #killAndRestart} stops it the way a killed process stops (in-flight invocations are abandoned
 * unsettled, its further AWS calls fail) and starts a new one on the same local AWS and stack.
 */
final class ChaosRuntime implements AutoCloseable {
    /** Where clients are sent while no runtime listens (nothing listens on the discard port). */
    private static final URI NOWHERE = URI.create("http://127.0.0.1:9");

    private final Path template;
    private final String stackName;
    private final FaultProxy proxy;
    private final AtomicLong logLines = new AtomicLong();
    private volatile RunningApp app;

    ChaosRuntime(Path template, String stackName, FaultProxy proxy) {
        this.template = template;
        this.stackName = stackName;
        this.proxy = proxy;
        this.app = start();
    }

    private RunningApp start() {
        return LocalRuntime.start(LocalRuntime.Options.of(template)
                .withPort(0)
                .withAws(proxy.aws())
                .withStackName(stackName)
                .withPollersStarted(true)
                .withLog(line -> logLines.incrementAndGet()));
    }

    RunningApp app() {
        return app;
    }

    /** The API of the runtime running now, read by the clients on every attempt. */
    Supplier<URI> baseUri() {
        return () -> {
            RunningApp running = app;
            return running == null ? NOWHERE : running.baseUri();
        };
    }

    /**
     * Kills the runtime mid-flight and starts a new one. While it dies, every AWS call fails (a dead process's
     * calls never arrive): its pollers are abandoned without settling (their batches come back from the stream's
     * checkpoint and the queues' visibility timeout), its API drops the connections in flight.
     *
     * @param rulesAfter the proxy's rules once the new runtime has started
     * @return the number of pollers whose invocation in flight was abandoned
     */
    int killAndRestart(List<FaultRule> rulesAfter) {
        proxy.rules(ChaosFaults.blackout());
        RunningApp dying = app;
        app = null;
        Set<Thread> pollerThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("esm-")).collect(Collectors.toSet());
        List<Thread> stops = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger abandoned = new java.util.concurrent.atomic.AtomicInteger();
        for (EventSourcePoller poller : dying.pollers()) {
            stops.add(Thread.ofPlatform().start(() -> {
                if (!poller.stop(Duration.ofMillis(1))) {
                    abandoned.incrementAndGet();
                }
            }));
        }
        for (Thread t : stops) {
            join(t);
        }
        dying.close();
        // the abandoned invocations end once their calls fail; none of them may reach AWS afterwards
        Instant giveUp = Instant.now().plusSeconds(60);
        while (pollerThreads.stream().anyMatch(Thread::isAlive) && Instant.now().isBefore(giveUp)) {
            RetryingClient.sleep(100);
        }
        proxy.rules(List.of());
        app = start();
        proxy.rules(rulesAfter);
        return abandoned.get();
    }

    long logLines() {
        return logLines.get();
    }

    @Override
    public void close() {
        RunningApp running = app;
        if (running != null) {
            running.close();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
