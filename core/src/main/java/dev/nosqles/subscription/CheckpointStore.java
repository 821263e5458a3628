package dev.nosqles.subscription;

import dev.nosqles.store.StreamId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** Where each subscriber keeps the last version it handled of each aggregate. */
public interface CheckpointStore {
    /** The last version handled (0 when none). */
    long position(String subscriber, StreamId streamId);

    /**
     * The last versions handled of several aggregates (0 when none), read as {@link #position} reads one (strongly
     * consistent). The default reads them one by one; a store may read them in batches.
     */
    default Map<StreamId, Long> positions(String subscriber, Collection<StreamId> streamIds) {
        Map<StreamId, Long> positions = new HashMap<>();
        for (StreamId id : streamIds) {
            positions.put(id, position(subscriber, id));
        }
        return positions;
    }

    /**
     * Moves the checkpoint from {@code from} to {@code to}, together with the handler's writes (atomically; at most
     * {@value EventDispatcher#MAX_WRITES}). A retry of this very move that finds it already done (its response was
     * lost) succeeds: it is not a conflict, and the handler's writes are not applied again.
     *
     * @throws CheckpointConflictException the checkpoint was not at {@code from}: another consumer moved it
     */
    void advance(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes);
}
