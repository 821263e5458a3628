package dev.nosqles.projection;

import dev.nosqles.aggregate.EventEnvelope;

/**
 * Projects one decoded, upcast event onto rows. Pure: it reads rows and declares changes through {@link Rows};
 * it sends nothing, reads no clock and no other store. Called exactly once in effect per event, in version order
 * per aggregate; its changes commit together with the projection's checkpoint. Throwing fails the event: it is
 * retried and no later event of that aggregate is projected before it succeeds.
 */
@FunctionalInterface
public interface ProjectionHandler<E, R extends Record> {
    void project(EventEnvelope<E> event, Rows<R> rows);
}
