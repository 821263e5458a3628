package dev.nosqles.projection.internal;

import dev.nosqles.capacity.ItemSize;
import dev.nosqles.dynamodb.internal.CheckpointItems;
import dev.nosqles.dynamodb.internal.TransactWrites;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.CheckpointStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * A rebuild page's checkpoint store (ADR 0007): {@link #advance} records the move and its writes instead of writing
 * them, so that the rebuild can write the moves of a whole page in a few combined transactions
 * ({@link #transactions}) rather than one per aggregate. Positions are read from the real store, except for the
 * streams a recorded move has reached, which answer that move's target. Not thread-safe: one per segment.
 *
 * <p>A combined transaction carries each move's checkpoint Put with the condition and write token
 * {@link dev.nosqles.dynamodb.DynamoDbCheckpointStore} uses ({@link CheckpointItems}); when any condition fails
 * (the live feed moved a checkpoint, a shared row changed) the whole transaction is cancelled and the rebuild
 * dispatches the page again through the real store, where every move that did land is a duplicate.
 */
final class DeferredCheckpoints implements CheckpointStore {
    /** DynamoDB's limits for one TransactWriteItems: 100 items, 4 MB in all (kept under, with a margin). */
    static final int MAX_ITEMS = 100;
    static final long MAX_BYTES = 4L * 1024 * 1024 - 64 * 1024;

    /** A recorded move: the checkpoint of {@code streamId} from {@code from} to {@code to}, with its writes. */
    record Move(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes) {
    }

    private final CheckpointStore real;
    private final List<Move> moves = new ArrayList<>();
    private final Map<String, Map<StreamId, Long>> reached = new HashMap<>();

    DeferredCheckpoints(CheckpointStore real) {
        this.real = real;
    }

    @Override
    public long position(String subscriber, StreamId streamId) {
        Long deferred = reached.getOrDefault(subscriber, Map.of()).get(streamId);
        return deferred != null ? deferred : real.position(subscriber, streamId);
    }

    @Override
    public Map<StreamId, Long> positions(String subscriber, Collection<StreamId> streamIds) {
        Map<StreamId, Long> deferred = reached.getOrDefault(subscriber, Map.of());
        List<StreamId> ask = streamIds.stream().filter(id -> !deferred.containsKey(id)).distinct().toList();
        Map<StreamId, Long> positions = new HashMap<>(ask.isEmpty() ? Map.of() : real.positions(subscriber, ask));
        for (StreamId id : streamIds) {
            if (deferred.containsKey(id)) {
                positions.put(id, deferred.get(id));
            }
        }
        return positions;
    }

    /**
     * Records the move; writes nothing. A move that does not start where the last recorded move of its stream
     * ended is refused (the dispatcher never does that within one dispatch).
     */
    @Override
    public void advance(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes) {
        Map<StreamId, Long> mine = reached.computeIfAbsent(subscriber, k -> new HashMap<>());
        Long last = mine.get(streamId);
        if (last != null && last != from) {
            throw new IllegalStateException(streamId + ": a deferred move from " + from + " after one to " + last);
        }
        moves.add(new Move(subscriber, streamId, from, to, List.copyOf(writes)));
        mine.put(streamId, to);
    }

    /** The moves recorded since the last call, in order; forgets them. */
    List<Move> drain() {
        List<Move> drained = List.copyOf(moves);
        moves.clear();
        reached.clear();
        return drained;
    }

    /** Forgets the recorded moves (the page is dispatched again through the real store). */
    void discard() {
        drain();
    }

    /** One combined transaction: its items and the token it carries (each checkpoint's write token). */
    record Transaction(List<TransactWriteItem> items, String token, List<Move> moves) {
    }

    /**
     * Packs moves, in their order, into as few transactions as fit DynamoDB's limits: at most {@value #MAX_ITEMS}
     * items and {@link #MAX_BYTES} in all, and no item twice (a second move of one checkpoint, or a row written by
     * two moves, starts the next transaction, so moves of one item land in their order).
     *
     * @param checkpointsTable where the checkpoints are
     * @param keyAttributes per table, its key attributes (tells the item a Put writes); a Put in a table not named
     *                      here is not told apart (a collision then fails the transaction, and the page falls back)
     */
    static List<Transaction> transactions(List<Move> moves, String checkpointsTable,
                                          Map<String, List<String>> keyAttributes) {
        List<Transaction> transactions = new ArrayList<>();
        List<TransactWriteItem> items = new ArrayList<>();
        List<Move> in = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        long bytes = 0;
        String token = UUID.randomUUID().toString();
        for (Move move : moves) {
            List<TransactWriteItem> mine = new ArrayList<>(move.writes().size() + 1);
            mine.add(CheckpointItems.movePut(checkpointsTable, move.subscriber(), move.streamId(), move.from(),
                    move.to(), token));
            mine.addAll(move.writes());
            Set<String> mineTargets = new HashSet<>();
            long mineBytes = 0;
            for (TransactWriteItem write : mine) {
                String target = target(write, keyAttributes);
                if (target != null) {
                    mineTargets.add(target);
                }
                mineBytes += size(write);
            }
            boolean fits = items.size() + mine.size() <= MAX_ITEMS && bytes + mineBytes <= MAX_BYTES
                    && mineTargets.stream().noneMatch(targets::contains);
            if (!fits && !items.isEmpty()) {
                transactions.add(new Transaction(List.copyOf(items), token, List.copyOf(in)));
                items.clear();
                in.clear();
                targets.clear();
                bytes = 0;
                token = UUID.randomUUID().toString();
                mine.set(0, CheckpointItems.movePut(checkpointsTable, move.subscriber(), move.streamId(), move.from(),
                        move.to(), token));
            }
            items.addAll(mine);
            in.add(move);
            targets.addAll(mineTargets);
            bytes += mineBytes;
        }
        if (!items.isEmpty()) {
            transactions.add(new Transaction(List.copyOf(items), token, List.copyOf(in)));
        }
        return transactions;
    }

    /** Table and key of the item a write targets; null when it cannot be told (a Put in a table not known). */
    static String target(TransactWriteItem write, Map<String, List<String>> keyAttributes) {
        if (write.put() != null) {
            List<String> key = keyAttributes.get(write.put().tableName());
            if (key == null) {
                return null;
            }
            Map<String, AttributeValue> values = new TreeMap<>();
            for (String attribute : key) {
                values.put(attribute, write.put().item().get(attribute));
            }
            return write.put().tableName() + "|" + values;
        }
        return TransactWrites.keyedTarget(write);
    }

    /** An upper estimate of a write's size in the transaction: its item or key, expressions and their values. */
    static long size(TransactWriteItem write) {
        if (write.put() != null) {
            var p = write.put();
            return ItemSize.of(p.item()) + expressions(p.conditionExpression(), p.expressionAttributeNames(),
                    p.expressionAttributeValues());
        }
        if (write.update() != null) {
            var u = write.update();
            return ItemSize.of(u.key()) + expressions(u.updateExpression(), Map.of(), Map.of())
                    + expressions(u.conditionExpression(), u.expressionAttributeNames(),
                    u.expressionAttributeValues());
        }
        if (write.delete() != null) {
            var d = write.delete();
            return ItemSize.of(d.key()) + expressions(d.conditionExpression(), d.expressionAttributeNames(),
                    d.expressionAttributeValues());
        }
        if (write.conditionCheck() != null) {
            var c = write.conditionCheck();
            return ItemSize.of(c.key()) + expressions(c.conditionExpression(), c.expressionAttributeNames(),
                    c.expressionAttributeValues());
        }
        return 0;
    }

    private static long expressions(String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        long size = expression == null ? 0 : expression.length();
        if (names != null) {
            for (Map.Entry<String, String> e : names.entrySet()) {
                size += e.getKey().length() + e.getValue().length();
            }
        }
        if (values != null) {
            size += ItemSize.of(values);
        }
        return size;
    }
}
