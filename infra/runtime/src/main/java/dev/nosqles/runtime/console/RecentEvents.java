package dev.nosqles.runtime.console;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The console's live view: a bounded ring buffer of the DynamoDB stream records the runtime's pollers deliver to
 * the functions, newest last. A record read by several event-source mappings (the saga starter, the publisher,
 * the projections...) is kept once, with the outcome per mapping ({@code delivered}, then {@code handled} or
 * {@code failed}); a redelivery after a failure updates its entry. When full, the oldest record goes.
 *
 * <p>A record of the events table is decoded from its new image (ADR 0001's commit item: stream id, versions,
 * timestamp, metadata, events with their type, schema and JSON data); a record of another table keeps its keys.
 * Thread-safe: pollers record from their own threads while the console reads.
 */
public final class RecentEvents {
    /** How many records {@link #RecentEvents()} keeps. */
    public static final int DEFAULT_CAPACITY = 500;

    /** One stored event of a commit. */
    public record Event(String eventId, String type, int schemaVersion, String data) {
    }

    /**
     * One stream record.
     *
     * @param seq            this buffer's own sequence (1, 2, ...): poll with {@link #after(long, int)}
     * @param sequenceNumber the stream's sequence number
     * @param table          the table, from the stream ARN
     * @param eventName      INSERT, MODIFY or REMOVE
     * @param at             when the record was written (the commit's timestamp, else the stream's whole second)
     * @param streamId       the commit's stream ({@code Order-42}), or the keys of another table's item
     * @param aggregateType  the stream's type, or null when not a commit
     * @param aggregateId    the stream's id, or null when not a commit
     * @param version        the commit's first version (0 when not a commit)
     * @param lastVersion    the commit's last version
     * @param correlationId  metadata, null when absent
     * @param causationId    metadata, null when absent
     * @param messageId      metadata, null when absent
     * @param principal      metadata, null when absent
     * @param events         the commit's events (empty when not a commit)
     * @param deliveries     mapping id -> delivered, handled or failed
     */
    public record Entry(long seq, String sequenceNumber, String table, String eventName, Instant at,
                        String streamId, String aggregateType, String aggregateId, long version, long lastVersion,
                        String correlationId, String causationId, String messageId, String principal,
                        List<Event> events, Map<String, String> deliveries) {
    }

    private final int capacity;
    private final Deque<Entry> entries = new ArrayDeque<>();
    private final Map<String, Entry> byKey = new HashMap<>();
    private long lastSeq;

    public RecentEvents() {
        this(DEFAULT_CAPACITY);
    }

    public RecentEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** The handler, recording each batch before and its outcome after the invocation. */
    public <O> RequestHandler<DynamodbEvent, O> tap(String mappingId, RequestHandler<DynamodbEvent, O> handler) {
        Objects.requireNonNull(mappingId, "mappingId");
        Objects.requireNonNull(handler, "handler");
        return (event, context) -> {
            List<DynamodbEvent.DynamodbStreamRecord> records = event == null || event.getRecords() == null
                    ? List.of() : event.getRecords();
            delivered(mappingId, records);
            O result;
            try {
                result = handler.handleRequest(event, context);
            } catch (RuntimeException | Error e) {
                outcome(mappingId, records, 0);
                throw e;
            }
            outcome(mappingId, records, firstFailure(records, result));
            return result;
        };
    }

    /** Records a batch handed to a mapping's function. */
    public synchronized void delivered(String mappingId, List<DynamodbEvent.DynamodbStreamRecord> records) {
        for (DynamodbEvent.DynamodbStreamRecord r : records) {
            String key = key(r);
            Entry existing = byKey.get(key);
            if (existing != null) {
                existing.deliveries().put(mappingId, "delivered");
                continue;
            }
            Entry entry = decode(++lastSeq, r);
            entry.deliveries().put(mappingId, "delivered");
            entries.addLast(entry);
            byKey.put(key, entry);
            if (entries.size() > capacity) {
                Entry gone = entries.removeFirst();
                byKey.remove(key(gone));
            }
        }
    }

    /** The records after {@code seq} (0 = from the oldest kept), at most {@code max}, oldest first. */
    public synchronized List<Entry> after(long seq, int max) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.seq() > seq && out.size() < max) {
                out.add(copy(e));
            }
        }
        return out;
    }

    /** The newest sequence handed out (0 before the first record). */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** How many records are kept now. */
    public synchronized int size() {
        return entries.size();
    }

    private synchronized void outcome(String mappingId, List<DynamodbEvent.DynamodbStreamRecord> records,
                                      int failedFrom) {
        for (int i = 0; i < records.size(); i++) {
            Entry e = byKey.get(key(records.get(i)));
            if (e != null) {
                e.deliveries().put(mappingId, failedFrom >= 0 && i >= failedFrom ? "failed" : "handled");
            }
        }
    }

    /** The index of the first record the function reported failed (-1 = none), as Lambda reads the response. */
    private static int firstFailure(List<DynamodbEvent.DynamodbStreamRecord> records, Object result) {
        if (!(result instanceof StreamsEventResponse response) || response.getBatchItemFailures() == null
                || response.getBatchItemFailures().isEmpty()) {
            return -1;
        }
        int lowest = Integer.MAX_VALUE;
        for (StreamsEventResponse.BatchItemFailure f : response.getBatchItemFailures()) {
            int index = -1;
            for (int i = 0; f != null && i < records.size(); i++) {
                StreamRecord s = records.get(i).getDynamodb();
                if (s != null && Objects.equals(s.getSequenceNumber(), f.getItemIdentifier())) {
                    index = i;
                    break;
                }
            }
            lowest = Math.min(lowest, index < 0 ? 0 : index);
        }
        return lowest;
    }

    private static Entry copy(Entry e) {
        return new Entry(e.seq(), e.sequenceNumber(), e.table(), e.eventName(), e.at(), e.streamId(),
                e.aggregateType(), e.aggregateId(), e.version(), e.lastVersion(), e.correlationId(), e.causationId(),
                e.messageId(), e.principal(), e.events(), new LinkedHashMap<>(e.deliveries()));
    }

    private static String key(DynamodbEvent.DynamodbStreamRecord r) {
        String sequence = r.getDynamodb() == null ? null : r.getDynamodb().getSequenceNumber();
        return table(r.getEventSourceARN()) + "#" + (sequence != null ? sequence : r.getEventID());
    }

    private static String key(Entry e) {
        return e.table() + "#" + e.sequenceNumber();
    }

    private static Entry decode(long seq, DynamodbEvent.DynamodbStreamRecord r) {
        StreamRecord s = r.getDynamodb();
        String table = table(r.getEventSourceARN());
        String sequence = s == null || s.getSequenceNumber() == null ? r.getEventID() : s.getSequenceNumber();
        Instant at = s == null || s.getApproximateCreationDateTime() == null ? null
                : s.getApproximateCreationDateTime().toInstant();
        Map<String, AttributeValue> image = s == null ? null
                : s.getNewImage() != null ? s.getNewImage() : s.getOldImage();
        Map<String, AttributeValue> keys = s == null || s.getKeys() == null ? Map.of() : s.getKeys();
        String streamId = str(image, "streamId");
        AttributeValue eventsAttr = image == null ? null : image.get("events");
        if (streamId == null || eventsAttr == null || eventsAttr.getL() == null) {
            return new Entry(seq, sequence, table, r.getEventName(), at, describeKeys(keys), null, null, 0, 0,
                    null, null, null, null, List.of(), new LinkedHashMap<>());
        }
        int dash = streamId.indexOf('-');
        String type = dash > 0 ? streamId.substring(0, dash) : streamId;
        String id = dash > 0 ? streamId.substring(dash + 1) : "";
        long version = num(image, "version");
        long lastVersion = image.containsKey("lastVersion") ? num(image, "lastVersion") : version;
        String ts = str(image, "ts");
        if (ts != null) {
            try {
                at = Instant.parse(ts);
            } catch (DateTimeParseException e) {
                // keep the stream's time
            }
        }
        Map<String, AttributeValue> meta = image.get("meta") == null ? null : image.get("meta").getM();
        List<Event> events = new ArrayList<>();
        for (AttributeValue v : eventsAttr.getL()) {
            Map<String, AttributeValue> m = v.getM();
            if (m != null) {
                events.add(new Event(str(m, "id"), str(m, "type"), (int) num(m, "schema"), str(m, "data")));
            }
        }
        return new Entry(seq, sequence, table, r.getEventName(), at, streamId, type, id, version, lastVersion,
                str(meta, "corr"), str(meta, "caus"), str(meta, "msg"), str(meta, "who"), List.copyOf(events),
                new LinkedHashMap<>());
    }

    /** The table name of {@code arn:aws:dynamodb:region:account:table/NAME/stream/LABEL}. */
    private static String table(String streamArn) {
        if (streamArn == null) {
            return null;
        }
        int start = streamArn.indexOf(":table/");
        if (start < 0) {
            return streamArn;
        }
        int end = streamArn.indexOf("/stream/", start);
        return streamArn.substring(start + 7, end < 0 ? streamArn.length() : end);
    }

    private static String describeKeys(Map<String, AttributeValue> keys) {
        StringBuilder out = new StringBuilder();
        keys.forEach((name, value) -> {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(name).append('=').append(value.getS() != null ? value.getS()
                    : value.getN() != null ? value.getN() : "?");
        });
        return out.toString();
    }

    private static String str(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m == null ? null : m.get(name);
        return v == null ? null : v.getS();
    }

    private static long num(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m == null ? null : m.get(name);
        if (v == null || v.getN() == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.getN());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
