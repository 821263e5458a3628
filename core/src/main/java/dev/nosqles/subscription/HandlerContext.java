package dev.nosqles.subscription;

import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * What a handler may do besides its own work. One context serves a <em>scope</em>: the events of one aggregate
 * that one subscriber is handed in one batch. The scope's writes are committed together with one move of the
 * subscriber's checkpoint for that aggregate, at the end of the scope (or earlier, see {@link #writeWithCheckpoint}).
 */
public interface HandlerContext {
    /** The subscriber's name. */
    String subscriber();

    /**
     * Makes a DynamoDB write part of the same transaction that advances the subscriber's checkpoint past this
     * event: the write happens exactly once, together with the checkpoint, or not at all (and the event is
     * retried). At most {@value EventDispatcher#MAX_WRITES} writes per event.
     *
     * <p>The writes of all events of the scope share one transaction when they fit: the dispatcher commits the
     * events handled so far first (checkpoint at the previous event) when this write would take the transaction
     * beyond {@value EventDispatcher#MAX_WRITES} writes or when it targets an item an earlier event of the scope
     * already writes (DynamoDB allows one operation per item in a transaction).
     */
    void writeWithCheckpoint(TransactWriteItem write);

    /**
     * The scope's attachment under {@code key}, created by {@code create} on first use in this scope: state a
     * handler keeps across the events of the scope (a buffer of changes) and turns into writes when the scope
     * commits. The dispatcher asks every attachment for its {@linkplain ScopeWrites#writes() writes} when it moves
     * the checkpoint, and tells it when they were committed. A new scope (next aggregate, next batch) starts without
     * attachments.
     */
    <T extends ScopeWrites> T attachment(Object key, Supplier<T> create);
}
