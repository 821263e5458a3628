package dev.nosqles.app.api.internal;

import dev.nosqles.store.EventMetadata;

/** The audit metadata of a command sent by an HTTP request. */
public final class Metadata {
    private Metadata() {
    }

    /** Principal and correlation id from the request; the idempotency key, if any, as the message id. */
    public static EventMetadata of(ApiRequest request) {
        return new EventMetadata(request.correlationId(), null, request.idempotencyKey(), request.principal());
    }
}
