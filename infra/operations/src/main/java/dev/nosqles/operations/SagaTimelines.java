package dev.nosqles.operations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.operations.internal.Json;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageException;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Sagas as an operator sees them: one saga's timeline, and the sagas past due.
 *
 * <p>A timeline joins the saga's own stream ({@code <sagaType>-<sagaId>}: {@code SagaOrchestratorCreated},
 * {@code SagaCommandEvent}, {@code SagaOrchestratorUpdated}, each commit with the message that caused it) with
 * the participants' commits that hold each command's message id (the participant records the command's id as
 * the commit's message id, and its reply request, {@code nosqles.SagaReplyRequested}, in the same commit; the
 * pseudo event's id is the reply's message id). A commit of the saga caused by a reply is a {@code REPLY}; one
 * caused by a deadline message is a {@code DEADLINE_EXPIRED}; the sweeper's turn on a saga past due (principal
 * {@value SagaManager#SWEEPER_PRINCIPAL}, the same message id as the deadline message, so only the first of the two
 * is in the history) is a {@code SWEEPER}.
 *
 * <p>Cost of {@link #timeline}: one Query of the saga's stream per saga type tried until found, then per command
 * one backward Query of its target's stream for the commit holding its id (commits written since the command,
 * less {@link #CLOCK_SKEW}) and one Query of that commit's events. {@link #pastDue}: one Scan of the deadlines
 * table (it holds running sagas only) and one Query per saga past due.
 */
public final class SagaTimelines {
    /** The kinds of {@link TimelineEntry}, in the order of a saga's life. */
    public static final List<String> KINDS = List.of("STARTED", "COMMAND_SENT", "COMMAND_RESENT", "COMMAND_HANDLED",
            "REPLY", "DEADLINE_EXPIRED", "SWEEPER", "COMPENSATING", "COMPLETED", "FAILED");
    /** The lane of the saga's orchestrator. */
    public static final String ORCHESTRATOR = "orchestrator";
    /** How much earlier than its command a participant's commit may be stamped (its clock may be behind). */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final EventStore store;
    private final SagaDeadlines deadlines;
    private final List<String> sagaTypes;
    private final Map<String, String> channelTypes;

    /**
     * @param store the application's event store
     * @param deadlines the index of running sagas by due time (a {@code DynamoDbSagaDeadlines})
     * @param sagaTypes the saga types of the application (a saga id is looked up under each, in order)
     * @param channelTypes each saga channel's name to the aggregate type of its participant (a channel missing
     *        here gets no {@code COMMAND_HANDLED} entries)
     */
    public SagaTimelines(EventStore store, SagaDeadlines deadlines, List<String> sagaTypes,
                         Map<String, String> channelTypes) {
        this.store = Objects.requireNonNull(store, "store");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.sagaTypes = List.copyOf(sagaTypes);
        this.channelTypes = Map.copyOf(channelTypes);
    }

    /**
     * The saga's timeline, entries in time order (a participant's commit between the command and the reply).
     *
     * @return empty when no saga of the known types has this id
     */
    public Optional<SagaTimeline> timeline(String sagaId) {
        Objects.requireNonNull(sagaId, "sagaId");
        for (String type : sagaTypes) {
            StreamId stream;
            try {
                stream = StreamId.of(type, sagaId);
            } catch (RuntimeException invalid) {
                return Optional.empty(); // not a possible saga id
            }
            List<RecordedEvent> events = store.read(stream, ReadRequest.all()).events();
            if (!events.isEmpty()) {
                return Optional.of(new Builder(type, sagaId).build(events));
            }
        }
        return Optional.empty();
    }

    /**
     * The timeline of the saga an event started: a saga's id is derived from its type and the id of the event that
     * started it (the order's {@code OrderCreated} for a {@code CreateOrderSaga}), so an operator who has an
     * aggregate's history finds its saga without a search. One read per saga type at most.
     *
     * @param triggeringEventId the id of the event that started the saga ({@code stream show} prints it)
     * @return empty when no saga of the known types was started by that event
     */
    public Optional<SagaTimeline> startedBy(String triggeringEventId) {
        Objects.requireNonNull(triggeringEventId, "triggeringEventId");
        for (String type : sagaTypes) {
            String sagaId = SagaManager.sagaIdOf(type, triggeringEventId);
            List<RecordedEvent> events = store.read(StreamId.of(type, sagaId), ReadRequest.all()).events();
            if (!events.isEmpty()) {
                return Optional.of(new Builder(type, sagaId).build(events));
            }
        }
        return Optional.empty();
    }

    /**
     * The sagas whose awaited reply is past its deadline at {@code now} (the sweeper has not acted on them yet),
     * the most overdue first.
     */
    public List<PastDueSaga> pastDue(Instant now) {
        Objects.requireNonNull(now, "now");
        List<PastDueSaga> due = new ArrayList<>();
        for (SagaDeadlines.Entry e : deadlines.due(now)) {
            due.add(new PastDueSaga(e.sagaId(), e.sagaType(), e.commandMessageId(),
                    step(e.sagaType(), e.sagaId(), e.commandMessageId()), e.dueAt(),
                    Math.max(0, Duration.between(e.dueAt(), now).toMillis()), e.attempt()));
        }
        due.sort(Comparator.comparing(PastDueSaga::dueAt).thenComparing(PastDueSaga::sagaId));
        return due;
    }

    /** The step of the saga's command with this id, read from its stream; null when not found. */
    private String step(String sagaType, String sagaId, String commandMessageId) {
        List<RecordedEvent> events;
        try {
            events = store.read(StreamId.of(sagaType, sagaId), ReadRequest.all()).events();
        } catch (RuntimeException unreadable) {
            return null;
        }
        for (int i = events.size() - 1; i >= 0; i--) {
            RecordedEvent e = events.get(i);
            if ("SagaCommandEvent".equals(e.type())) {
                JsonNode d = tree(e.data());
                if (commandMessageId.equals(text(d, "commandMessageId"))) {
                    return text(d, "step");
                }
            }
        }
        return null;
    }

    /** A command the saga sent. */
    private record Command(String messageId, String step, boolean compensation, String channel, String target,
                           String commandType, Instant sentAt) {
    }

    /** One send of a command that awaits a reply, with its deadline. */
    private record Send(Command command, Instant deadline) {
    }

    /** A reply a participant requested (or sent directly): which command, what outcome. */
    private record Reply(Command command, String outcome, String reason) {
    }

    /** An entry with the command it belongs to and the saga commit it comes from (-1: a participant's). */
    private record Item(TimelineEntry entry, String commandId, int commit) {
    }

    private final class Builder {
        private final String sagaType;
        private final String sagaId;
        /** The saga's own entries, in commit order. */
        private final List<Item> entries = new ArrayList<>();
        /** The participants' entries, merged in at the end. */
        private final List<Item> participants = new ArrayList<>();
        private int commitNumber;
        /** Where the current commit's effects begin (after its cause): a turn to compensating goes there. */
        private int effectsAt;
        private final Map<String, Command> commands = new LinkedHashMap<>();
        private final Map<String, Reply> replies = new HashMap<>();
        private final Set<String> handled = new LinkedHashSet<>();
        /** Each awaited send by the id of its deadline (the deadline message's and the sweeper's). */
        private final Map<String, Send> sends = new HashMap<>();
        private String status = "RUNNING";
        private String awaiting;
        private Instant deadline;
        private Instant startedAt;
        private Instant endedAt;

        Builder(String sagaType, String sagaId) {
            this.sagaType = sagaType;
            this.sagaId = sagaId;
        }

        SagaTimeline build(List<RecordedEvent> events) {
            // first the participants' side, so that a reply's commit is known by its id
            for (RecordedEvent e : events) {
                if ("SagaCommandEvent".equals(e.type())) {
                    JsonNode d = tree(e.data());
                    Command c = new Command(text(d, "commandMessageId"), text(d, "step"),
                            d.path("compensation").asBoolean(false), text(d, "channel"), text(d, "target"),
                            text(d, "commandType"), e.timestamp());
                    commands.putIfAbsent(c.messageId(), c);
                    Instant due = instant(d, "deadline");
                    if (due != null) {
                        sends.put(SagaManager.deadlineMessageIdOf(c.messageId(), d.path("attempt").asInt(0)),
                                new Send(commands.get(c.messageId()), due));
                    }
                }
            }
            for (Command c : commands.values()) {
                replies.put(SagaParticipant.directReplyIdOf(c.messageId()),
                        new Reply(c, "FAILURE", SagaParticipant.TARGET_NOT_FOUND));
                handled(c);
            }
            int i = 0;
            while (i < events.size()) {
                int end = i + 1;
                while (end < events.size() && sameCommit(events.get(i), events.get(end))) {
                    end++;
                }
                commit(events.subList(i, end));
                i = end;
            }
            List<Item> merged = new ArrayList<>(entries);
            for (Item h : participants) {
                merge(merged, h);
            }
            List<TimelineEntry> sorted = merged.stream().map(Item::entry).toList();
            Set<String> lanes = new LinkedHashSet<>();
            lanes.add(ORCHESTRATOR);
            for (TimelineEntry t : sorted) {
                lanes.add(t.from());
                lanes.add(t.to());
            }
            return new SagaTimeline(sagaId, sagaType, status, startedAt, endedAt, List.copyOf(lanes), sorted);
        }

        /** The participant's commit that holds the command's id, as a COMMAND_HANDLED entry. */
        private void handled(Command c) {
            String type = c.channel() == null ? null : channelTypes.get(c.channel());
            if (type == null || c.target() == null || !handled.add(c.messageId())) {
                return;
            }
            StreamId stream;
            try {
                stream = StreamId.of(type, c.target());
            } catch (RuntimeException invalid) {
                return;
            }
            Optional<EventStore.MessageCommit> commit = store.findMessageCommit(stream, c.messageId(),
                    Long.MAX_VALUE, c.sentAt().minus(CLOCK_SKEW));
            if (commit.isEmpty()) {
                return;
            }
            List<RecordedEvent> events = store.read(stream, ReadRequest.from(commit.get().firstVersion())
                    .withToVersion(commit.get().lastVersion())).events();
            List<String> types = new ArrayList<>();
            String reply = null;
            for (RecordedEvent e : events) {
                if (SagaParticipant.REPLY_REQUESTED.equals(e.type())) {
                    // read by the saga message codec, as the reply sender reads it (old shapes included)
                    String outcome;
                    String reason;
                    try {
                        SagaMessage.ReplyMessage requested = SagaParticipant.requestedReply(e);
                        outcome = requested.outcome().name();
                        reason = requested.reason();
                    } catch (SagaMessageException unreadable) {
                        outcome = "unreadable";
                        reason = null;
                    }
                    replies.put(e.eventId().toString(), new Reply(c, outcome, reason));
                    reply = "reply " + outcome + (reason == null ? "" : " (" + reason + ")");
                } else {
                    types.add(e.type());
                }
            }
            String detail = stream.value() + " v" + commit.get().firstVersion()
                    + (commit.get().lastVersion() != commit.get().firstVersion() ? "-" + commit.get().lastVersion()
                    : "") + ": " + (types.isEmpty() ? "no event" : String.join(", ", types))
                    + (reply == null ? "" : "; " + reply);
            participants.add(new Item(new TimelineEntry(commit.get().timestamp(), commit.get().lastVersion(),
                    "COMMAND_HANDLED", c.step(), c.channel(), c.channel(), c.messageId(), detail, null),
                    c.messageId(), -1));
        }

        /**
         * Puts a participant's entry after the saga's commit that sent its command and before the reply it caused;
         * between them by time (clocks of different writers may disagree by a little).
         */
        private void merge(List<Item> merged, Item handled) {
            int pos = -1;
            for (int i = 0; i < merged.size(); i++) {
                Item it = merged.get(i);
                if (it.commit() >= 0 && handled.commandId().equals(it.commandId())
                        && it.entry().kind().startsWith("COMMAND_")) {
                    pos = i;
                    break;
                }
            }
            if (pos < 0) {
                return;
            }
            int commit = merged.get(pos).commit();
            while (pos < merged.size() && merged.get(pos).commit() == commit) {
                pos++;
            }
            while (pos < merged.size() && merged.get(pos).entry().at().isBefore(handled.entry().at())
                    && !(merged.get(pos).entry().kind().equals("REPLY")
                    && handled.commandId().equals(merged.get(pos).commandId()))) {
                pos++;
            }
            merged.add(pos, handled);
        }

        private void add(TimelineEntry entry, String commandId) {
            entries.add(new Item(entry, commandId, commitNumber));
        }

        private void commit(List<RecordedEvent> commit) {
            commitNumber++;
            RecordedEvent first = commit.get(0);
            EventMetadata meta = first.metadata() == null ? EventMetadata.empty() : first.metadata();
            Instant at = first.timestamp();
            long version = commit.get(commit.size() - 1).version();
            boolean created = "SagaOrchestratorCreated".equals(first.type());
            boolean effect = commit.stream().anyMatch(e -> !dev.nosqles.aggregate.PseudoEvent.isPseudo(e.type()));
            if (created) {
                startedAt = at;
                add(new TimelineEntry(at, first.version(), "STARTED", null, ORCHESTRATOR, ORCHESTRATOR,
                        meta.messageId(), "started by event " + meta.messageId()
                        + (meta.principal() == null ? "" : " (principal " + meta.principal() + ")"), null), null);
            } else if (isDeadline(meta)) {
                Send send = meta.messageId() == null ? null : sends.get(meta.messageId());
                Command c = send != null ? send.command() : awaiting == null ? null : commands.get(awaiting);
                boolean sweeper = SagaManager.SWEEPER_PRINCIPAL.equals(meta.principal());
                String by = sweeper ? SagaManager.SWEEPER_PRINCIPAL : "deadline message";
                add(new TimelineEntry(at, version, sweeper ? "SWEEPER" : "DEADLINE_EXPIRED",
                        c == null ? null : c.step(), ORCHESTRATOR, ORCHESTRATOR, c == null ? null : c.messageId(),
                        "by " + by + (effect ? "" : "; no effect (not awaited any more)"),
                        send != null ? send.deadline() : deadline), null);
            } else {
                Reply r = meta.messageId() == null ? null : replies.get(meta.messageId());
                Command c = r != null ? r.command() : awaiting == null ? null : commands.get(awaiting);
                String from = c == null || c.channel() == null ? "unknown" : c.channel();
                String detail = (r == null ? "reply" : r.outcome() + (r.reason() == null ? "" : " (" + r.reason()
                        + ")")) + (c == null ? "" : " to " + c.commandType())
                        + (effect ? "" : "; dropped (not awaited)");
                add(new TimelineEntry(at, version, "REPLY", c == null ? null : c.step(), from, ORCHESTRATOR,
                        meta.messageId(), detail, null), c == null ? null : c.messageId());
            }
            effectsAt = entries.size();
            for (RecordedEvent e : commit) {
                switch (e.type()) {
                    case "SagaCommandEvent" -> {
                        JsonNode d = tree(e.data());
                        Command c = commands.get(text(d, "commandMessageId"));
                        int attempt = d.path("attempt").asInt(0);
                        Instant due = instant(d, "deadline");
                        String detail = c.commandType() + " to " + c.target()
                                + (c.compensation() ? " (compensation)" : "")
                                + (attempt > 0 ? " (attempt " + (attempt + 1) + ")" : "")
                                + (due == null ? "; not awaited" : "");
                        add(new TimelineEntry(at, e.version(), attempt > 0 ? "COMMAND_RESENT"
                                : "COMMAND_SENT", c.step(), ORCHESTRATOR, c.channel(), c.messageId(), detail, due),
                                c.messageId());
                    }
                    case "SagaOrchestratorUpdated" -> updated(e, at);
                    default -> {
                    }
                }
            }
        }

        private void updated(RecordedEvent e, Instant at) {
            JsonNode d = tree(e.data());
            String next = text(d, "status");
            String reason = text(d, "reason");
            awaiting = text(d, "awaitingCommandId");
            deadline = instant(d, "deadline");
            if (next == null || next.equals(status) && !"COMPENSATING".equals(next)) {
                return;
            }
            String was = status;
            status = next;
            switch (next) {
                case "COMPENSATING" -> {
                    if (!"COMPENSATING".equals(was)) {
                        // before the compensations the same commit sends
                        entries.add(effectsAt, new Item(new TimelineEntry(at, e.version(), "COMPENSATING", null,
                                ORCHESTRATOR, ORCHESTRATOR, null, reason, null), null, commitNumber));
                    }
                }
                case "COMPLETED" -> {
                    endedAt = at;
                    add(new TimelineEntry(at, e.version(), "COMPLETED", null, ORCHESTRATOR, ORCHESTRATOR,
                            null, "COMPLETED", null), null);
                }
                case "COMPENSATED", "FAILED" -> {
                    endedAt = at;
                    add(new TimelineEntry(at, e.version(), "FAILED", null, ORCHESTRATOR, ORCHESTRATOR,
                            null, next + (reason == null ? "" : ": " + reason), null), null);
                }
                default -> {
                }
            }
        }

        /** A commit caused by the deadline of the awaited command (its message, or the sweeper). */
        private boolean isDeadline(EventMetadata meta) {
            return SagaManager.SWEEPER_PRINCIPAL.equals(meta.principal())
                    || meta.messageId() != null && sends.containsKey(meta.messageId());
        }
    }

    private static boolean sameCommit(RecordedEvent a, RecordedEvent b) {
        return Objects.equals(a.timestamp(), b.timestamp())
                && Objects.equals(a.metadata() == null ? null : a.metadata().messageId(),
                b.metadata() == null ? null : b.metadata().messageId());
    }

    private static JsonNode tree(String json) {
        try {
            JsonNode n = Json.mapper().readTree(json);
            return n == null ? Json.mapper().createObjectNode() : n;
        } catch (JsonProcessingException e) {
            return Json.mapper().createObjectNode();
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            // Jackson's default for an Instant without WRITE_DATES_AS_TIMESTAMPS disabled: seconds.nanos
            return Instant.ofEpochSecond(v.longValue(), v.decimalValue().remainder(java.math.BigDecimal.ONE)
                    .movePointRight(9).longValue());
        }
        try {
            return Instant.parse(v.asText());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
