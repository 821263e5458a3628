package dev.nosqles.runtime;

import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.esm.EventSourcePoller;
import dev.nosqles.runtime.http.LocalApiServer;
import dev.nosqles.runtime.template.Template;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** The application started by {@link LocalRuntime#start}: close it to stop the pollers, the API and its AWS. */
public final class RunningApp implements AutoCloseable {
    private final LocalApiServer server;
    private final LocalAws aws;
    private final Template template;
    private final LocalResources resources;
    private final Map<String, Object> handlers;
    private final List<EventSourcePoller> pollers;
    private final List<AutoCloseable> started;
    private boolean closed;

    RunningApp(LocalApiServer server, LocalAws aws, Template template, LocalResources resources,
               Map<String, Object> handlers, List<EventSourcePoller> pollers, List<AutoCloseable> started) {
        this.server = server;
        this.aws = aws;
        this.template = template;
        this.resources = resources;
        this.handlers = Map.copyOf(handlers);
        this.pollers = List.copyOf(pollers);
        this.started = started;
    }

    /** The HTTP API, such as {@code http://127.0.0.1:3000}. */
    public URI baseUri() {
        return server.baseUri();
    }

    /** The local AWS the application runs on. */
    public LocalAws aws() {
        return aws;
    }

    /** What was read from the template. */
    public Template template() {
        return template;
    }

    /** The created resources' names, URLs and ARNs. */
    public LocalResources resources() {
        return resources;
    }

    /** The handler instance of a function (one per function, as in a warm Lambda container). */
    public Object handler(String functionLogicalId) {
        Object handler = handlers.get(functionLogicalId);
        if (handler == null) {
            throw new NoSuchElementException("no function " + functionLogicalId + " in the template");
        }
        return handler;
    }

    /** One poller per DynamoDB and SQS event of the template's functions, in template order. */
    public List<EventSourcePoller> pollers() {
        return pollers;
    }

    /**
     * Drains every poller, again and again until none of them has anything to do (a stream handler may feed a
     * queue another function reads). Only when the pollers were not started.
     *
     * @return the number of invocations
     */
    public int drainUntilIdle() {
        int total = 0;
        int round;
        do {
            round = 0;
            for (EventSourcePoller poller : pollers) {
                round += poller.drainUntilIdle();
            }
            total += round;
        } while (round > 0);
        return total;
    }

    /** Stops the pollers (letting in-flight invocations finish), the HTTP API, and the local AWS if it started it. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LocalRuntime.closeAll(started);
        }
    }
}
