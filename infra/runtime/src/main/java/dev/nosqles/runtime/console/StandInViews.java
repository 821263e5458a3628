package dev.nosqles.runtime.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.internal.SagaIds;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stream's history and a saga's timeline read straight from the event store, in the JSON shapes of the
 * operations library's {@code StreamHistory} and {@code SagaTimeline} (see /tmp design: the same field names), for
 * the console while that library has no StreamHistories / SagaTimelines; {@link OperationsData} uses them.
 *
 * <p>A timeline: the saga's own stream (its commands with their deadlines, the orchestrator's updates: a reply, an
 * expired deadline or the sweeper's action, told apart by the commit's message id and principal) and, for each
 * command, the commits of the target's stream whose message id is the command's (the participant handled it).
 */
public final class StandInViews {
    /** A stream's history, as the operations library's StreamHistory. */
    public record StreamHistory(String aggregateType, String aggregateId, long lastVersion,
                                List<HistoryEntry> entries) {
    }

    /** One event with its metadata, as the operations library's HistoryEntry. */
    public record HistoryEntry(long version, String type, int schemaVersion, Instant recordedAt, String eventId,
                               String correlationId, String causationId, String messageId, String principal,
                               boolean pseudo, String data) {
    }

    /** A saga's timeline, as the operations library's SagaTimeline. */
    public record SagaTimeline(String sagaId, String sagaType, String status, Instant startedAt, Instant endedAt,
                               List<String> lanes, List<TimelineEntry> entries) {
    }

    /** One step of a timeline, as the operations library's TimelineEntry. */
    public record TimelineEntry(Instant at, long version, String kind, String step, String from, String to,
                                String messageId, String detail, Instant deadline) {
    }

    /** A saga past its deadline, as the operations library's PastDueSaga. */
    public record PastDueSaga(String sagaId, String sagaType, String awaitingCommandId, String step, Instant dueAt,
                              long overdueMillis, int attempt) {
    }

    private static final String ORCHESTRATOR = "orchestrator";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventStore events;
    private final List<String> sagaTypes;
    private final Map<String, String> participantTypes;
    private final SagaDeadlines deadlines;

    /**
     * @param sagaTypes        the application's saga types (a saga id alone does not say its stream's type)
     * @param participantTypes channel name to the aggregate type its commands target
     * @param deadlines        the saga deadlines index, or null
     */
    public StandInViews(EventStore events, List<String> sagaTypes, Map<String, String> participantTypes,
                        SagaDeadlines deadlines) {
        this.events = Objects.requireNonNull(events, "events");
        this.sagaTypes = List.copyOf(sagaTypes);
        this.participantTypes = Map.copyOf(participantTypes);
        this.deadlines = deadlines;
    }

    /** The stream's events up to a version or an instant (both null: all of them). */
    public StreamHistory history(String aggregateType, String aggregateId, Long atVersion, Instant asOf) {
        StreamId stream = StreamId.of(aggregateType, aggregateId);
        List<RecordedEvent> all = events.read(stream).events();
        if (all.isEmpty()) {
            throw new StreamNotFoundException(stream);
        }
        List<HistoryEntry> entries = new ArrayList<>();
        for (RecordedEvent e : all) {
            if ((atVersion != null && e.version() > atVersion) || (asOf != null && e.timestamp().isAfter(asOf))) {
                break;
            }
            entries.add(new HistoryEntry(e.version(), e.type(), e.schemaVersion(), e.timestamp(),
                    e.eventId().toString(), e.metadata().correlationId(), e.metadata().causationId(),
                    e.metadata().messageId(), e.metadata().principal(), e.type().startsWith(PseudoEvents.PREFIX),
                    e.data()));
        }
        return new StreamHistory(aggregateType, aggregateId, all.getLast().version(), List.copyOf(entries));
    }

    /** The saga's timeline, or empty when no saga type has a stream with this id. */
    public Optional<SagaTimeline> timeline(String sagaId) {
        for (String type : sagaTypes) {
            List<RecordedEvent> saga = events.read(StreamId.of(type, sagaId)).events();
            if (!saga.isEmpty()) {
                return Optional.of(timeline(type, sagaId, saga));
            }
        }
        return Optional.empty();
    }

    /** The sagas whose deadline passed, from the deadlines index (empty without one). */
    public List<PastDueSaga> pastDue(Instant now) {
        if (deadlines == null) {
            return List.of();
        }
        List<PastDueSaga> out = new ArrayList<>();
        for (SagaDeadlines.Entry due : deadlines.due(now)) {
            String step = null;
            for (RecordedEvent e : events.read(StreamId.of(due.sagaType(), due.sagaId())).events()) {
                JsonNode data = e.type().equals("SagaCommandEvent") ? json(e.data()) : null;
                if (data != null && due.commandMessageId().equals(data.path("commandMessageId").asText())) {
                    step = data.path("step").asText(null);
                }
            }
            out.add(new PastDueSaga(due.sagaId(), due.sagaType(), due.commandMessageId(), step, due.dueAt(),
                    Math.max(0, Duration.between(due.dueAt(), now).toMillis()), due.attempt()));
        }
        return out;
    }

    private record Sent(String step, String channel, String target, String commandType, int attempt) {
    }

    private SagaTimeline timeline(String type, String sagaId, List<RecordedEvent> saga) {
        List<String> lanes = new ArrayList<>(List.of(ORCHESTRATOR));
        List<TimelineEntry> entries = new ArrayList<>();
        Map<String, Sent> sent = new LinkedHashMap<>();
        String awaiting = null;
        String status = "RUNNING";
        Instant endedAt = null;
        RecordedEvent previous = null;
        for (RecordedEvent e : saga) {
            JsonNode data = json(e.data());
            String msg = e.metadata().messageId();
            boolean newCommit = previous == null || !previous.timestamp().equals(e.timestamp())
                    || !Objects.equals(previous.metadata(), e.metadata());
            previous = e;
            Sent answered = awaiting == null ? null : sent.get(awaiting);
            if (newCommit && answered != null && msg != null && e.version() > 1) {
                // what moved the orchestrator: a reply, its deadline message, or the sweeper
                boolean sweeper = SagaManager.SWEEPER_PRINCIPAL.equals(e.metadata().principal());
                boolean deadline = msg.equals(SagaIds.deadlineMessageId(awaiting, answered.attempt()));
                String kind = sweeper ? "SWEEPER" : deadline ? "DEADLINE_EXPIRED" : "REPLY";
                entries.add(new TimelineEntry(e.timestamp(), e.version(), kind, answered.step(),
                        kind.equals("REPLY") ? answered.channel() : ORCHESTRATOR, ORCHESTRATOR, msg,
                        kind.equals("REPLY") ? "to " + answered.commandType()
                                : "deadline of " + answered.commandType(), null));
            }
            switch (e.type()) {
                case "SagaOrchestratorCreated" -> entries.add(new TimelineEntry(e.timestamp(), e.version(), "STARTED",
                        null, ORCHESTRATOR, null, msg, "started by event " + shortId(e.metadata().causationId()), null));
                case "SagaCommandEvent" -> {
                    String id = data.path("commandMessageId").asText();
                    String channel = data.path("channel").asText();
                    int attempt = data.path("attempt").asInt(0);
                    boolean compensation = data.path("compensation").asBoolean(false);
                    if (!lanes.contains(channel)) {
                        lanes.add(channel);
                    }
                    sent.put(id, new Sent(data.path("step").asText(null), channel, data.path("target").asText(null),
                            data.path("commandType").asText(null), attempt));
                    entries.add(new TimelineEntry(e.timestamp(), e.version(), attempt > 0 ? "COMMAND_RESENT"
                            : "COMMAND_SENT", data.path("step").asText(null), ORCHESTRATOR, channel, id,
                            data.path("commandType").asText("") + (compensation ? " (compensation)" : "")
                                    + (attempt > 0 ? ", attempt " + (attempt + 1) : ""),
                            instant(data.path("deadline"))));
                }
                case "SagaOrchestratorUpdated" -> {
                    String before = status;
                    status = data.path("status").asText(status);
                    awaiting = data.path("awaitingCommandId").isTextual() ? data.path("awaitingCommandId").asText()
                            : null;
                    if (!status.equals(before)) {
                        String kind = switch (status) {
                            case "COMPENSATING" -> "COMPENSATING";
                            case "COMPLETED", "COMPENSATED" -> "COMPLETED";
                            case "FAILED" -> "FAILED";
                            default -> null;
                        };
                        if (kind != null) {
                            entries.add(new TimelineEntry(e.timestamp(), e.version(), kind, null, ORCHESTRATOR, null,
                                    null, status + (data.path("reason").isTextual() ? ": "
                                    + data.path("reason").asText() : ""), null));
                        }
                        if (!status.equals("RUNNING") && !status.equals("COMPENSATING")) {
                            endedAt = e.timestamp();
                        }
                    }
                }
                default -> {
                    // another event of the saga's stream: not a step
                }
            }
        }
        entries.addAll(handled(sent));
        List<TimelineEntry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparing(TimelineEntry::at));
        return new SagaTimeline(sagaId, type, status, saga.getFirst().timestamp(), endedAt, List.copyOf(lanes),
                List.copyOf(ordered));
    }

    /** The participants' commits caused by each command (their message id is the command's). */
    private List<TimelineEntry> handled(Map<String, Sent> sent) {
        List<TimelineEntry> out = new ArrayList<>();
        Map<StreamId, List<RecordedEvent>> streams = new HashMap<>();
        sent.forEach((id, s) -> {
            String aggregate = participantTypes.get(s.channel());
            if (aggregate == null || s.target() == null) {
                return;
            }
            List<RecordedEvent> target = streams.computeIfAbsent(StreamId.of(aggregate, s.target()),
                    stream -> events.read(stream).events());
            List<String> types = new ArrayList<>();
            RecordedEvent first = null;
            for (RecordedEvent e : target) {
                if (id.equals(e.metadata().messageId())) {
                    first = first == null ? e : first;
                    types.add(e.type());
                }
            }
            if (first != null) {
                out.add(new TimelineEntry(first.timestamp(), first.version(), "COMMAND_HANDLED", s.step(),
                        s.channel(), s.channel(), id, aggregate + " " + String.join(", ", types), null));
            }
        });
        return out;
    }

    private static Instant instant(JsonNode node) {
        return node == null || !node.isTextual() ? null : Instant.parse(node.asText());
    }

    private static String shortId(String id) {
        return id == null ? "?" : id.length() <= 8 ? id : id.substring(0, 8);
    }

    private static JsonNode json(String data) {
        try {
            return JSON.readTree(data == null ? "{}" : data);
        } catch (IOException e) {
            throw new UncheckedIOException("a saga event's data is not JSON", e);
        }
    }
}
