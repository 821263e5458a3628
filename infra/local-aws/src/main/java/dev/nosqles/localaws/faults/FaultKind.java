package dev.nosqles.localaws.faults;

/** What the {@link FaultProxy} does to a request a {@link FaultRule} picked. */
public enum FaultKind {
    /**
     * The request is forwarded and takes effect, then its answer is replaced by a 500 InternalServerError: the SDK
     * retries a request that already succeeded (a lost response, a connection reset after the write).
     */
    LOST_RESPONSE,
    /**
     * Answered 400 with the service's throttling error (ProvisionedThroughputExceededException for DynamoDB,
     * LimitExceededException for Streams, ThrottlingException for SQS, Throttling for SNS); not forwarded.
     */
    THROTTLE,
    /** Answered 500 InternalServerError before the request reaches the backend: it has no effect. */
    SERVER_ERROR,
    /** The request waits before it is forwarded (combines with the other kinds). */
    LATENCY
}
