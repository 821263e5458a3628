package dev.nosqles.dynamodb.internal;

import dev.nosqles.subscription.CheckpointConflictException;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** What the dispatcher and the rebuild both need to know of the transactions they write. */
public final class TransactWrites {
    private TransactWrites() {
    }

    /**
     * Table and key of the item a write targets, when the write names its key (Update, Delete, ConditionCheck);
     * null for a Put (its key attributes depend on the table's schema).
     */
    public static String keyedTarget(TransactWriteItem write) {
        if (write.update() != null) {
            return write.update().tableName() + "|" + new TreeMap<>(write.update().key());
        }
        if (write.delete() != null) {
            return write.delete().tableName() + "|" + new TreeMap<>(write.delete().key());
        }
        if (write.conditionCheck() != null) {
            return write.conditionCheck().tableName() + "|" + new TreeMap<>(write.conditionCheck().key());
        }
        return null;
    }

    /**
     * A failure that running the work again from a fresh position resolves: a checkpoint moved under it, or its
     * transaction was cancelled by a condition on an item another writer changed (or by a concurrent transaction).
     */
    public static boolean isRace(Exception failure) {
        if (failure instanceof CheckpointConflictException) {
            return true;
        }
        if (failure instanceof TransactionCanceledException cancelled && cancelled.hasCancellationReasons()) {
            return cancelled.cancellationReasons().stream().map(CancellationReason::code)
                    .anyMatch(code -> "ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code));
        }
        return false;
    }
}
