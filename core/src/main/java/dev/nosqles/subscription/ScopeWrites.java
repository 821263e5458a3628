package dev.nosqles.subscription;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Writes that a {@linkplain HandlerContext#attachment scope attachment} contributes to the transaction that moves a
 * subscriber's checkpoint: typically a buffer of changes coalesced over several events (one write per item, which
 * is what a DynamoDB transaction allows). The dispatcher drives it:
 * <ol>
 *   <li>{@link #savepoint()} before each event is handed to the handlers;</li>
 *   <li>{@link #size()} after it, to keep the transaction within its limit: when the scope's writes would exceed
 *       {@value EventDispatcher#MAX_WRITES}, the dispatcher calls {@link #rollback()} (the changes of that event
 *       are dropped), commits the events before it, then hands the event over again;</li>
 *   <li>{@link #writes()} when it commits, then {@link #flushed()} once they were committed with the checkpoint.
 *       After a failed commit nothing is called: the scope ends and its attachments are dropped.</li>
 * </ol>
 * Called from one thread.
 */
public interface ScopeWrites {
    /** How many writes {@link #writes()} would return now (changes of the event in progress included). */
    int size();

    /** The writes to commit with the checkpoint (changes of every event handed over since the last flush). */
    List<TransactWriteItem> writes();

    /** The writes last returned were committed: the next commit starts from nothing. */
    void flushed();

    /** An event is about to be handed over: remember the state to {@link #rollback()} to. */
    void savepoint();

    /** Drops the changes made since the last {@link #savepoint()} (or since creation, when none was taken). */
    void rollback();
}
