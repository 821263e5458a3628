package dev.nosqles.subscription;

import dev.nosqles.internal.CommitItems;
import dev.nosqles.internal.CommitItems.Commit;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Turns at-least-once, per-item-ordered stream records into exactly-once, in-order delivery per subscriber and
 * aggregate (ADR 0003):
 * <ul>
 *   <li>each subscriber's checkpoint holds the last version it handled of each aggregate;</li>
 *   <li>a commit at or below the checkpoint is a duplicate and skipped;</li>
 *   <li>a commit that starts beyond the next version first has the missing events read from the event store,
 *       so nothing is handled out of order or lost;</li>
 *   <li>after each handled event the checkpoint moves with a conditional write, together with the handler's own
 *       writes in one transaction when it made any ({@link HandlerContext#writeWithCheckpoint}).</li>
 * </ul>
 * The first failure stops the batch: {@link Result#failedIndex()} names the record to retry from.
 */
public final class EventDispatcher {
    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());

    private final List<Subscriber> subscribers;
    private final CheckpointStore checkpoints;
    private final EventStore store;

    public EventDispatcher(List<Subscriber> subscribers, CheckpointStore checkpoints, EventStore store) {
        this.subscribers = List.copyOf(subscribers);
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.store = Objects.requireNonNull(store, "store");
        long names = this.subscribers.stream().map(Subscriber::name).distinct().count();
        if (names != this.subscribers.size()) {
            throw new IllegalArgumentException("subscriber names must be unique");
        }
    }

    /**
     * What a dispatch did.
     *
     * @param handled events handed to handlers
     * @param duplicates events skipped because a checkpoint was already past them
     * @param filledFromStore events read from the event store to close a gap
     * @param failedIndex index of the first record that failed, or -1
     * @param failure its cause, or null
     */
    public record Result(int handled, int duplicates, int filledFromStore, int failedIndex, Exception failure) {
        public boolean succeeded() {
            return failedIndex < 0;
        }
    }

    /**
     * Dispatches the NEW_IMAGEs of inserted commit items in the order the stream delivered them. Items that are
     * not commits are ignored.
     */
    public Result dispatch(List<Map<String, AttributeValue>> newImages) {
        Counters counters = new Counters();
        Map<String, Long> positions = new HashMap<>();
        for (int i = 0; i < newImages.size(); i++) {
            Map<String, AttributeValue> image = newImages.get(i);
            if (image == null || !image.containsKey(CommitItems.EVENTS)) {
                continue;
            }
            try {
                Commit commit = CommitItems.fromItem(image);
                for (Subscriber subscriber : subscribers) {
                    if (subscriber.wants(commit.streamId().type())) {
                        deliver(subscriber, commit, positions, counters);
                    }
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "record {0} of {1} failed: {2}", i, newImages.size(), e.getClass().getName());
                return new Result(counters.handled, counters.duplicates, counters.filled, i, e);
            }
        }
        return new Result(counters.handled, counters.duplicates, counters.filled, -1, null);
    }

    /**
     * For SnapStart / CRaC priming before a checkpoint: the reads a dispatch makes (a checkpoint GetItem per
     * subscriber, an event store Query) on a stream that never exists, so that the clients and code paths are
     * loaded and warm in the snapshot. Writes nothing.
     */
    public void prime() {
        StreamId nowhere = StreamId.of("Priming", "snapstart");
        for (Subscriber subscriber : subscribers) {
            checkpoints.position(subscriber.name(), nowhere);
        }
        store.read(nowhere, ReadRequest.from(1));
    }

    private void deliver(Subscriber subscriber, Commit commit, Map<String, Long> positions, Counters counters)
            throws Exception {
        StreamId streamId = commit.streamId();
        String key = subscriber.name() + "|" + streamId.value();
        Long cached = positions.get(key);
        long position = cached != null ? cached : checkpoints.position(subscriber.name(), streamId);
        if (commit.lastVersion() <= position) {
            counters.duplicates += commit.events().size();
            positions.put(key, position);
            return;
        }
        List<RecordedEvent> pending = new ArrayList<>();
        if (commit.firstVersion() > position + 1) {
            List<RecordedEvent> missing = store.read(streamId,
                    new ReadRequest(position + 1, commit.firstVersion() - 1, null)).events();
            counters.filled += missing.size();
            pending.addAll(missing);
        }
        for (RecordedEvent e : commit.events()) {
            if (e.version() > position) {
                pending.add(e);
            } else {
                counters.duplicates++;
            }
        }
        long persisted = position;
        long reached = position;
        for (RecordedEvent event : pending) {
            if (event.version() != reached + 1) {
                throw new IllegalStateException(streamId + ": expected version " + (reached + 1) + " but read "
                        + event.version());
            }
            Context context = new Context(subscriber.name());
            boolean delivered = subscriber.deliver(event, context);
            reached = event.version();
            if (delivered) {
                counters.handled++;
                checkpoints.advance(subscriber.name(), streamId, persisted, reached, context.writes);
                persisted = reached;
                positions.put(key, persisted);
            }
        }
        if (persisted < reached) {
            checkpoints.advance(subscriber.name(), streamId, persisted, reached, List.of());
            positions.put(key, reached);
        }
    }

    private static final class Counters {
        int handled;
        int duplicates;
        int filled;
    }

    private static final class Context implements HandlerContext {
        private final String subscriber;
        private final List<TransactWriteItem> writes = new ArrayList<>();

        Context(String subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public String subscriber() {
            return subscriber;
        }

        @Override
        public void writeWithCheckpoint(TransactWriteItem write) {
            if (writes.size() >= 99) {
                throw new IllegalStateException("at most 99 writes per event");
            }
            writes.add(Objects.requireNonNull(write, "write"));
        }
    }
}
