package dev.nosqles.operations;

import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.store.CorruptStoreException;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.Subscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Each subscriber's lag: the events of its aggregate types written to the events table and not yet handled by it
 * (its checkpoint of the stream is below the stream's last version), with the age of the oldest pending one.
 *
 * <p>Cost of {@link #lags}: one Scan of the events table (every commit item, read whole and decoded with the
 * public {@link DynamoDbStreamImages}, its events left undecoded; DynamoDB charges the items' full size whatever
 * is projected: half a read unit per 4 KB, eventually consistent) and one Query of
 * the checkpoints table per subscriber (its checkpoint items, one per stream it has handled). It is an operator's
 * view, not a metric to poll: the functions' {@code SubscriptionLag} metric and the stream's iterator age are the
 * cheap signals. Bounded by {@code maxItems}: a table with more commit items (or a subscriber with more
 * checkpoints) fails with {@link ScanLimitException} before anything more is read.
 */
public final class SubscriptionLags {
    /** The default bound on the items one call reads. */
    public static final long DEFAULT_MAX_ITEMS = 1_000_000;

    private final DynamoDbClient dynamo;
    private final String eventsTable;
    private final String checkpointsTable;
    private final List<SubscriberTypes> subscribers;
    private final long maxItems;

    /**
     * @param dynamo the DynamoDB client
     * @param eventsTable the events table's name
     * @param checkpointsTable the checkpoints table's name
     * @param subscribers the subscribers to report on, with the aggregate types each handles
     *        ({@link Subscriber#ALL} for every type)
     */
    public SubscriptionLags(DynamoDbClient dynamo, String eventsTable, String checkpointsTable,
                            List<SubscriberTypes> subscribers) {
        this(dynamo, eventsTable, checkpointsTable, subscribers, DEFAULT_MAX_ITEMS);
    }

    /** @param maxItems the most items one call may read from each table (and per subscriber's checkpoints) */
    public SubscriptionLags(DynamoDbClient dynamo, String eventsTable, String checkpointsTable,
                            List<SubscriberTypes> subscribers, long maxItems) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.eventsTable = Objects.requireNonNull(eventsTable, "eventsTable");
        this.checkpointsTable = Objects.requireNonNull(checkpointsTable, "checkpointsTable");
        this.subscribers = List.copyOf(subscribers);
        if (maxItems < 1) {
            throw new IllegalArgumentException("maxItems must be positive");
        }
        this.maxItems = maxItems;
    }

    /**
     * One entry per subscriber, in the order given.
     *
     * @throws ScanLimitException a table holds more items than the bound
     */
    public List<SubscriptionLag> lags(Instant now) {
        Objects.requireNonNull(now, "now");
        Map<String, List<CommitSpan>> streams = commits();
        List<SubscriptionLag> lags = new ArrayList<>(subscribers.size());
        for (SubscriberTypes s : subscribers) {
            lags.add(lag(s, streams, checkpoints(s.subscriber()), now));
        }
        return lags;
    }

    private static SubscriptionLag lag(SubscriberTypes s, Map<String, List<CommitSpan>> streams,
                                       Map<String, Long> positions, Instant now) {
        boolean all = s.aggregateTypes().contains(Subscriber.ALL);
        long events = 0;
        long behind = 0;
        Instant oldest = null;
        Instant lastHandled = null;
        for (Map.Entry<String, List<CommitSpan>> stream : streams.entrySet()) {
            String type = type(stream.getKey());
            if (type == null || !(all || s.aggregateTypes().contains(type))) {
                continue;
            }
            long position = positions.getOrDefault(stream.getKey(), 0L);
            long pending = 0;
            for (CommitSpan c : stream.getValue()) {
                if (c.last() > position) {
                    pending += c.last() - Math.max(c.first() - 1, position);
                    oldest = oldest == null || c.ts().isBefore(oldest) ? c.ts() : oldest;
                }
                if (c.first() <= position) {
                    lastHandled = lastHandled == null || c.ts().isAfter(lastHandled) ? c.ts() : lastHandled;
                }
            }
            if (pending > 0) {
                events += pending;
                behind++;
            }
        }
        long age = oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis());
        return new SubscriptionLag(s.subscriber(), events, behind, oldest, age, lastHandled);
    }

    private static String type(String streamId) {
        try {
            return StreamId.parse(streamId).type();
        } catch (RuntimeException e) {
            return null; // not a stream's item
        }
    }

    private record CommitSpan(long first, long last, Instant ts) {
    }

    /** Stream id to its commits (first and last version, timestamp): one paginated Scan. */
    private Map<String, List<CommitSpan>> commits() {
        Map<String, List<CommitSpan>> streams = new HashMap<>();
        Map<String, AttributeValue> start = null;
        long read = 0;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(ScanRequest.builder().tableName(eventsTable)
                    .exclusiveStartKey(from).build());
            read += page.count();
            if (read > maxItems) {
                throw new ScanLimitException(eventsTable, maxItems);
            }
            for (Map<String, AttributeValue> item : page.items()) {
                AttributeValue id = item.get(EventTables.STREAM_ID_ATTRIBUTE);
                AttributeValue first = item.get(EventTables.VERSION_ATTRIBUTE);
                Instant at = DynamoDbStreamImages.commitTimestamp(item).orElse(null);
                if (id == null || id.s() == null || first == null || first.n() == null || at == null) {
                    continue; // not a commit
                }
                long f = Long.parseLong(first.n());
                long l;
                try {
                    l = f + DynamoDbStreamImages.eventCount(item) - 1;
                } catch (CorruptStoreException e) {
                    continue;
                }
                streams.computeIfAbsent(id.s(), k -> new ArrayList<>()).add(new CommitSpan(f, l, at));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return streams;
    }

    /** The subscriber's checkpoints: stream id to the last version it handled (one paginated Query). */
    private Map<String, Long> checkpoints(String subscriber) {
        Map<StreamId, Long> read = DynamoDbCheckpointStore.builder().client(dynamo).tableName(checkpointsTable).build()
                .allPositions(subscriber, maxItems);
        if (read.size() > maxItems) {
            throw new ScanLimitException(checkpointsTable, maxItems);
        }
        Map<String, Long> positions = new HashMap<>();
        read.forEach((id, version) -> positions.put(id.value(), version));
        return positions;
    }
}
