package dev.nosqles.runtime.esm;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.nosqles.runtime.esm.internal.LocalContext;
import dev.nosqles.runtime.esm.internal.PollLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;

/**
 * A {@code Schedule} event (an EventBridge rule with a {@code rate(...)} expression) run locally: every
 * {@code rate}, the handler is invoked with a {@code ScheduledEvent} shaped like EventBridge's ({@code source}
 * {@code aws.events}, {@code detail-type} {@code Scheduled Event}, the rule's ARN in {@code resources}). The first
 * invocation comes one period after the poller was created, as with a new rule. A failed invocation is logged
 * and not retried (the next period invokes again); invocations never overlap.
 */
public final class SchedulePoller implements EventSourcePoller {
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final String mappingId;
    private final String functionName;
    private final Duration rate;
    private final RequestHandler<ScheduledEvent, ?> handler;
    private final String region;
    private final Clock clock;
    private final Consumer<String> log;
    private final PollLoop loop;
    private Instant next;

    /**
     * @param mappingId    the rule's local id ({@code <function>-<event>})
     * @param functionName the function's logical id (its context and log lines)
     * @param rate         the period of the rate expression
     * @param clock        when to fire (tests move it)
     * @param log          one line per invocation
     */
    public SchedulePoller(String mappingId, String functionName, Duration rate,
                          RequestHandler<ScheduledEvent, ?> handler, String region, Clock clock,
                          Consumer<String> log) {
        this.mappingId = Objects.requireNonNull(mappingId, "mappingId");
        this.functionName = Objects.requireNonNull(functionName, "functionName");
        this.rate = Objects.requireNonNull(rate, "rate");
        if (rate.isNegative() || rate.isZero()) {
            throw new IllegalArgumentException("the rate must be positive");
        }
        this.handler = Objects.requireNonNull(handler, "handler");
        this.region = Objects.requireNonNull(region, "region");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.next = clock.instant().plus(rate);
        this.loop = new PollLoop("schedule-" + mappingId, this::pollOnce, IDLE_WAIT, () -> {
        });
    }

    @Override
    public String mappingId() {
        return mappingId;
    }

    /** When the rule fires next. */
    public synchronized Instant next() {
        return next;
    }

    /** Invokes the handler if the rule is due, and schedules the next invocation one period later. */
    @Override
    public synchronized boolean pollOnce() {
        Instant now = clock.instant();
        if (now.isBefore(next)) {
            return false;
        }
        next = now.plus(rate);
        ScheduledEvent event = new ScheduledEvent().withId(UUID.randomUUID().toString()).withVersion("0")
                .withDetailType("Scheduled Event").withSource("aws.events").withAccount(LocalContext.ACCOUNT)
                .withRegion(region).withTime(new DateTime(now.toEpochMilli(), DateTimeZone.UTC))
                .withResources(List.of("arn:aws:events:" + region + ":" + LocalContext.ACCOUNT + ":rule/"
                        + mappingId))
                .withDetail(Map.of());
        long start = System.nanoTime();
        String line = functionName + " <- " + mappingId + " (schedule)";
        try {
            handler.handleRequest(event, new LocalContext(functionName, region, Duration.ofMinutes(1), clock));
            log.accept(line + " -> ok, " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (RuntimeException e) {
            log.accept(line + " -> threw " + e.getClass().getName() + ", " + (System.nanoTime() - start) / 1_000_000
                    + " ms");
        }
        return true;
    }

    @Override
    public int drainUntilIdle(int maxInvocations) {
        return loop.drain(mappingId, maxInvocations, "the clock keeps the rule due");
    }

    @Override
    public void start() {
        loop.start();
    }

    @Override
    public boolean stop(Duration grace) {
        return loop.stop(grace);
    }
}
