package dev.nosqles.app.api.internal;

import dev.nosqles.store.EventMetadata;

/** The audit metadata of a command sent by an HTTP request. */
public final class Metadata {
    private Metadata() {
    }

    /**
     * Principal and correlation id from the request; the idempotency key, if any, scoped by principal and
     * operation, as the message id ({@link IdempotentIds#messageId}).
     */
    public static EventMetadata of(ApiRequest request, IdempotentIds.Operation operation) {
        return new EventMetadata(request.correlationId(), null,
                IdempotentIds.messageId(operation, request.principal(), request.idempotencyKey()),
                request.principal());
    }
}
