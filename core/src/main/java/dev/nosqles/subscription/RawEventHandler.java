package dev.nosqles.subscription;

import dev.nosqles.store.RecordedEvent;

/** Handles stored events as they are (not decoded), including the framework's pseudo events. */
@FunctionalInterface
public interface RawEventHandler {
    void handle(RecordedEvent event, HandlerContext context) throws Exception;
}
