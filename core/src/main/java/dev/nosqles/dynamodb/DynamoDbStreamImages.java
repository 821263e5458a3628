package dev.nosqles.dynamodb;

import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.store.CorruptStoreException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The public decoder of the events table's items as its DynamoDB stream delivers them (the {@code NEW_IMAGE} of an
 * INSERT, or an item a Scan returns): one item per commit (ADR 0001). Stream adapters (a Lambda handler, the local
 * runtime, operations tools) read commits through this class; the attribute layout itself stays internal.
 *
 * <p>{@link #encode} writes the image of a commit the way {@link DynamoDbEventStore} stores it: for tests and tools
 * that feed an {@link dev.nosqles.subscription.EventDispatcher} without a table. Applications append through an
 * {@link dev.nosqles.store.EventStore}.
 */
public final class DynamoDbStreamImages {
    private DynamoDbStreamImages() {
    }

    /**
     * One commit as the events table holds it.
     *
     * @param streamId the stream
     * @param firstVersion version of the commit's first event
     * @param lastVersion version of its last event
     * @param timestamp when it was committed
     * @param metadata the metadata every event of the commit shares
     * @param events its events, in version order
     */
    public record Commit(StreamId streamId, long firstVersion, long lastVersion, Instant timestamp,
                         EventMetadata metadata, List<RecordedEvent> events) {
        public Commit {
            Objects.requireNonNull(streamId, "streamId");
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(metadata, "metadata");
            events = List.copyOf(events);
        }
    }

    /** True when {@code image} is a commit item (it holds an events list), readable or not. */
    public static boolean isCommit(Map<String, AttributeValue> image) {
        return image != null && image.containsKey(CommitItems.EVENTS);
    }

    /**
     * Decodes a commit item.
     *
     * @throws CorruptStoreException the item is not a readable commit (an attribute missing or malformed)
     */
    public static Commit decode(Map<String, AttributeValue> image) {
        Objects.requireNonNull(image, "image");
        CommitItems.Commit c = CommitItems.fromItem(image);
        return new Commit(c.streamId(), c.firstVersion(), c.lastVersion(), c.timestamp(), c.metadata(), c.events());
    }

    /**
     * The commit timestamp of a commit item, reading that attribute alone (no event is decoded); empty when
     * {@code image} is not a commit or its timestamp is missing or malformed.
     */
    public static Optional<Instant> commitTimestamp(Map<String, AttributeValue> image) {
        if (!isCommit(image)) {
            return Optional.empty();
        }
        AttributeValue ts = image.get(CommitItems.TIMESTAMP);
        if (ts == null || ts.s() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(dev.nosqles.internal.Instants.parse(ts.s()));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The number of events of a commit item, from its version attributes alone (no event is decoded).
     *
     * @throws CorruptStoreException the item has no readable versions
     */
    public static long eventCount(Map<String, AttributeValue> image) {
        Objects.requireNonNull(image, "image");
        AttributeValue first = image.get(CommitItems.VERSION);
        AttributeValue last = image.get(CommitItems.LAST_VERSION);
        if (first == null || first.n() == null || last == null || last.n() == null) {
            throw new CorruptStoreException(null, 0, "commit has no readable versions");
        }
        try {
            return Long.parseLong(last.n()) - Long.parseLong(first.n()) + 1;
        } catch (NumberFormatException e) {
            throw new CorruptStoreException(null, 0, "commit versions are not integers");
        }
    }

    /**
     * The item (and stream image) of a commit of {@code events} at {@code firstVersion}, as
     * {@link DynamoDbEventStore} writes it.
     */
    public static Map<String, AttributeValue> encode(StreamId streamId, long firstVersion, List<NewEvent> events,
                                                     EventMetadata metadata, Instant timestamp) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(timestamp, "timestamp");
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("a commit holds at least one event");
        }
        if (firstVersion < 1) {
            throw new IllegalArgumentException("versions start at 1");
        }
        return CommitItems.toItem(streamId, firstVersion, events, metadata, timestamp);
    }
}
