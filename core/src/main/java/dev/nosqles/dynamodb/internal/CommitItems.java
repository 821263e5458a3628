package dev.nosqles.dynamodb.internal;

import dev.nosqles.store.CorruptStoreException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The events table's item layout: one item per commit (see ADR 0001).
 *
 * <pre>
 * streamId    S  partition key, "Order-42"
 * version     N  sort key: version of the commit's first event
 * lastVersion N  version of the commit's last event
 * ts          S  commit timestamp, ISO-8601
 * meta        M  {corr, caus, msg, who}: only those present
 * events      L  of M {id S, type S, schema N, data S (a JSON object)}
 * </pre>
 *
 * <p>A commit's id is the id of its first event: event ids are unique in the store, so it identifies the commit
 * without another attribute (ADR 0001).
 */
public final class CommitItems {
    public static final String STREAM_ID = dev.nosqles.dynamodb.EventTables.STREAM_ID_ATTRIBUTE;
    public static final String VERSION = dev.nosqles.dynamodb.EventTables.VERSION_ATTRIBUTE;
    public static final String LAST_VERSION = "lastVersion";
    public static final String TIMESTAMP = "ts";
    public static final String META = "meta";
    public static final String EVENTS = "events";

    private CommitItems() {
    }

    /** A decoded commit item. */
    public record Commit(StreamId streamId, long firstVersion, long lastVersion, Instant timestamp,
                         EventMetadata metadata, List<RecordedEvent> events) {
    }

    public static Map<String, AttributeValue> toItem(StreamId streamId, long firstVersion, List<NewEvent> events,
                                                     EventMetadata metadata, Instant timestamp) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(STREAM_ID, s(streamId.value()));
        item.put(VERSION, n(firstVersion));
        item.put(LAST_VERSION, n(firstVersion + events.size() - 1));
        item.put(TIMESTAMP, s(timestamp.toString()));
        Map<String, AttributeValue> meta = metaMap(metadata);
        if (!meta.isEmpty()) {
            item.put(META, AttributeValue.fromM(meta));
        }
        List<AttributeValue> list = new ArrayList<>(events.size());
        for (NewEvent e : events) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            m.put("id", s(e.eventId().toString()));
            m.put("type", s(e.type()));
            m.put("schema", n(e.schemaVersion()));
            m.put("data", s(e.data()));
            list.add(AttributeValue.fromM(m));
        }
        item.put(EVENTS, AttributeValue.fromL(list));
        return item;
    }

    public static Commit fromItem(Map<String, AttributeValue> item) {
        StreamId streamId = StreamId.parse(str(item, STREAM_ID, null, 0));
        long first = num(item, VERSION, streamId, 0);
        long last = num(item, LAST_VERSION, streamId, first);
        Instant ts;
        try {
            ts = dev.nosqles.internal.Instants.parse(str(item, TIMESTAMP, streamId, first));
        } catch (java.time.format.DateTimeParseException e) {
            throw new CorruptStoreException(streamId, first, "timestamp is not an ISO-8601 instant");
        }
        EventMetadata metadata = item.containsKey(META) ? metadata(item.get(META).m()) : EventMetadata.empty();
        AttributeValue eventsAttr = item.get(EVENTS);
        if (eventsAttr == null || !eventsAttr.hasL()) {
            throw new CorruptStoreException(streamId, first, "commit has no events list");
        }
        List<AttributeValue> list = eventsAttr.l();
        if (list.size() != last - first + 1) {
            throw new CorruptStoreException(streamId, first, "commit holds " + list.size() + " events for versions "
                    + first + ".." + last);
        }
        List<RecordedEvent> events = new ArrayList<>(list.size());
        long version = first;
        for (AttributeValue v : list) {
            Map<String, AttributeValue> m = v.m();
            UUID id;
            try {
                id = UUID.fromString(str(m, "id", streamId, version));
            } catch (IllegalArgumentException e) {
                throw new CorruptStoreException(streamId, version, "event id is not a UUID");
            }
            events.add(new RecordedEvent(id, streamId, version, str(m, "type", streamId, version),
                    (int) num(m, "schema", streamId, version), str(m, "data", streamId, version), ts, metadata));
            version++;
        }
        return new Commit(streamId, first, last, ts, metadata, events);
    }

    /**
     * True when the stored item holds the commit of {@code events}: the same commit id (its first event's id) and
     * the same events. A conditional write that finds such an item at its own key wrote it itself, in an earlier
     * attempt whose response was lost.
     */
    public static boolean holdsCommit(Map<String, AttributeValue> stored, List<NewEvent> events) {
        AttributeValue list = stored == null ? null : stored.get(EVENTS);
        if (list == null || !list.hasL() || list.l().size() != events.size()) {
            return false;
        }
        for (int i = 0; i < events.size(); i++) {
            AttributeValue id = list.l().get(i).hasM() ? list.l().get(i).m().get("id") : null;
            if (id == null || !events.get(i).eventId().toString().equals(id.s())) {
                return false;
            }
        }
        return true;
    }

    /** True when the commit holds exactly {@code events}' ids, in order (see {@link #holdsCommit(Map, List)}). */
    public static boolean sameEvents(Commit commit, List<NewEvent> events) {
        if (commit.events().size() != events.size()) {
            return false;
        }
        for (int i = 0; i < events.size(); i++) {
            if (!commit.events().get(i).eventId().equals(events.get(i).eventId())) {
                return false;
            }
        }
        return true;
    }

    public static Map<String, AttributeValue> key(StreamId streamId, long version) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(STREAM_ID, s(streamId.value()));
        key.put(VERSION, n(version));
        return key;
    }

    private static Map<String, AttributeValue> metaMap(EventMetadata metadata) {
        Map<String, AttributeValue> meta = new LinkedHashMap<>();
        if (metadata == null) {
            return meta;
        }
        if (metadata.correlationId() != null) {
            meta.put("corr", s(metadata.correlationId()));
        }
        if (metadata.causationId() != null) {
            meta.put("caus", s(metadata.causationId()));
        }
        if (metadata.messageId() != null) {
            meta.put("msg", s(metadata.messageId()));
        }
        if (metadata.principal() != null) {
            meta.put("who", s(metadata.principal()));
        }
        if (metadata.traceHeader() != null) {
            meta.put("trace", s(metadata.traceHeader()));
        }
        return meta;
    }

    private static EventMetadata metadata(Map<String, AttributeValue> m) {
        // "trace" is absent from commits written before trace headers were recorded (and outside X-Ray)
        return new EventMetadata(opt(m, "corr"), opt(m, "caus"), opt(m, "msg"), opt(m, "who"), null,
                opt(m, "trace"));
    }

    private static String opt(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null ? null : v.s();
    }

    private static String str(Map<String, AttributeValue> m, String name, StreamId streamId, long version) {
        AttributeValue v = m.get(name);
        if (v == null || v.s() == null) {
            throw new CorruptStoreException(streamId, version, "attribute '" + name + "' is missing or not a string");
        }
        return v.s();
    }

    private static long num(Map<String, AttributeValue> m, String name, StreamId streamId, long version) {
        AttributeValue v = m.get(name);
        if (v == null || v.n() == null) {
            throw new CorruptStoreException(streamId, version, "attribute '" + name + "' is missing or not a number");
        }
        try {
            return Long.parseLong(v.n());
        } catch (NumberFormatException e) {
            throw new CorruptStoreException(streamId, version, "attribute '" + name + "' is not an integer");
        }
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
