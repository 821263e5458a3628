package dev.nosqles.localaws.faults;

import java.time.Duration;
import java.util.Objects;

/**
 * When the {@link FaultProxy} injects a fault: requests of {@code service} (and {@code operation}, and whose body
 * contains {@code resource}, when given) get {@code kind} with {@code probability}, drawn from the proxy's seeded
 * random numbers. Build with {@link #lostResponse}, {@link #throttle}, {@link #serverError} or {@link #latency},
 * then narrow it with the {@code with...} methods.
 *
 * @param kind        what happens
 * @param service     {@code dynamodb}, {@code streams}, {@code sqs}, {@code sns}, ... (see {@link AwsOperation})
 * @param operation   the operation ({@code PutItem}), or null for every operation of the service
 * @param resource    a text the request body must contain (a table name, a queue URL), or null for any request
 * @param probability of a matching request being faulted, 0..1
 * @param budget      at most this many faults from this rule, or -1 for no limit
 * @param burst       once the rule fires, it also faults the next {@code burst - 1} matching requests (1 = alone);
 *                    a burst longer than the SDK's attempts makes the call fail for its caller
 * @param latency     for {@link FaultKind#LATENCY}: the longest delay (each delay is drawn uniformly up to it)
 * @param firstBy     when at least 1: a rule that has not fired by its {@code firstBy}-th matching request faults
 *                    that one (a run that must see each fault at least once gets it whatever its draws); 0 = off
 */
public record FaultRule(FaultKind kind, String service, String operation, String resource, double probability,
                        int budget, int burst, Duration latency, int firstBy) {
    public FaultRule {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(latency, "latency");
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be within 0..1, was " + probability);
        }
        if (budget < -1) {
            throw new IllegalArgumentException("budget must be -1 (no limit) or at least 0, was " + budget);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
        if (firstBy < 0) {
            throw new IllegalArgumentException("firstBy must be 0 (off) or at least 1, was " + firstBy);
        }
        if (kind == FaultKind.LATENCY && (latency.isNegative() || latency.isZero())) {
            throw new IllegalArgumentException("a latency rule needs a positive latency");
        }
    }

    /** The request takes effect, then its answer is lost (500): the SDK retries a write that succeeded. */
    public static FaultRule lostResponse(String service, String operation, double probability) {
        return new FaultRule(FaultKind.LOST_RESPONSE, service, operation, null, probability, -1, 1, Duration.ZERO, 0);
    }

    /** The request is refused with the service's throttling error, without reaching the backend. */
    public static FaultRule throttle(String service, String operation, double probability) {
        return new FaultRule(FaultKind.THROTTLE, service, operation, null, probability, -1, 1, Duration.ZERO, 0);
    }

    /** The request is answered 500 before it reaches the backend. */
    public static FaultRule serverError(String service, String operation, double probability) {
        return new FaultRule(FaultKind.SERVER_ERROR, service, operation, null, probability, -1, 1, Duration.ZERO, 0);
    }

    /** The request waits up to {@code max} before it is forwarded. */
    public static FaultRule latency(String service, String operation, double probability, Duration max) {
        return new FaultRule(FaultKind.LATENCY, service, operation, null, probability, -1, 1, max, 0);
    }

    public FaultRule withResource(String value) {
        return new FaultRule(kind, service, operation, value, probability, budget, burst, latency, firstBy);
    }

    public FaultRule withBudget(int value) {
        return new FaultRule(kind, service, operation, resource, probability, value, burst, latency, firstBy);
    }

    public FaultRule withBurst(int value) {
        return new FaultRule(kind, service, operation, resource, probability, budget, value, latency, firstBy);
    }

    /** Fires at the latest on the {@code value}-th matching request (see {@link #firstBy()}). */
    public FaultRule withFirstBy(int value) {
        return new FaultRule(kind, service, operation, resource, probability, budget, burst, latency, value);
    }

    /** Whether a request of {@code call} with this body is one this rule applies to. */
    public boolean matches(AwsOperation call, String body) {
        return service.equals(call.service())
                && (operation == null || operation.equals(call.operation()))
                && (resource == null || (body != null && body.contains(resource)));
    }

    @Override
    public String toString() {
        return kind + " " + service + ":" + (operation == null ? "*" : operation)
                + (resource == null ? "" : "[" + resource + "]") + " p=" + probability
                + (budget < 0 ? "" : " budget=" + budget) + (burst == 1 ? "" : " burst=" + burst)
                + (kind == FaultKind.LATENCY ? " up to " + latency.toMillis() + " ms" : "")
                + (firstBy == 0 ? "" : " first by " + firstBy);
    }
}
