package dev.nosqles.store;

import java.time.Instant;

/**
 * Who and why, recorded with every commit: the audit trail.
 *
 * @param correlationId the id shared by everything one business request caused
 * @param causationId the id of the message or event that directly caused this commit
 * @param messageId the id of the message (command) that produced this commit; used to drop duplicates
 * @param principal who asked for it (a user, a service, "system")
 * @param messageSentAt when the message was first sent: the timestamp of the event that caused it, carried in the
 *        message body across every redelivery and DLQ redrive ({@code null}: unknown). Only commits written after
 *        this instant can hold the message, which bounds the search for a late duplicate. Not stored.
 * @param traceHeader the AWS X-Ray trace header ({@code Root=1-...;Parent=...;Sampled=...}) of the invocation that
 *        wrote the commit ({@code null}: none, and for commits written before it was recorded); the repository
 *        fills it from the running invocation when absent, the saga adapters put it on the messages they send
 */
public record EventMetadata(String correlationId, String causationId, String messageId, String principal,
                            Instant messageSentAt, String traceHeader) {
    public static final EventMetadata EMPTY = new EventMetadata(null, null, null, null, null, null);

    public EventMetadata(String correlationId, String causationId, String messageId, String principal,
                         Instant messageSentAt) {
        this(correlationId, causationId, messageId, principal, messageSentAt, null);
    }

    public EventMetadata(String correlationId, String causationId, String messageId, String principal) {
        this(correlationId, causationId, messageId, principal, null, null);
    }

    public static EventMetadata empty() {
        return EMPTY;
    }

    public EventMetadata withCorrelationId(String value) {
        return new EventMetadata(value, causationId, messageId, principal, messageSentAt, traceHeader);
    }

    public EventMetadata withCausationId(String value) {
        return new EventMetadata(correlationId, value, messageId, principal, messageSentAt, traceHeader);
    }

    public EventMetadata withMessageId(String value) {
        return new EventMetadata(correlationId, causationId, value, principal, messageSentAt, traceHeader);
    }

    public EventMetadata withPrincipal(String value) {
        return new EventMetadata(correlationId, causationId, messageId, value, messageSentAt, traceHeader);
    }

    public EventMetadata withMessageSentAt(Instant value) {
        return new EventMetadata(correlationId, causationId, messageId, principal, value, traceHeader);
    }

    public EventMetadata withTraceHeader(String value) {
        return new EventMetadata(correlationId, causationId, messageId, principal, messageSentAt, value);
    }
}
