package dev.nosqles.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Section 3: folding stored events into state, per event. The input is what a load hands the fold: recorded
 * events with their JSON data (one Opened, then deposits and every fifth a withdrawal, memos of ~20 characters).
 * <ul>
 *   <li>{@code framework}: {@link EventCodec#decode} (JSON tree, upcaster chain, tree to record) + the
 *       aggregate's {@code apply}, as {@link dev.nosqles.aggregate.AggregateRepository} does;</li>
 *   <li>{@code frameworkUpcasting}: the same over deposits stored with schema v1 (type "LedgerCredited", field
 *       "sum", same memo), which the upcasters rename on every read;</li>
 *   <li>{@code handWritten}: a switch on the type name, Jackson straight into the record, and the state built
 *       inline: what one would write without the framework.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(ReplayBenchmark.EVENTS)
public class ReplayBenchmark {
    /** Events folded per invocation; scores are per event. */
    public static final int EVENTS = 1_000;

    private static final ObjectMapper PLAIN = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private List<RecordedEvent> current;
    private List<RecordedEvent> legacy;
    private Ledger ledger;
    private EventCodec<Ledger.Event> codec;
    private ObjectReader openedReader;
    private ObjectReader depositedReader;
    private ObjectReader withdrawnReader;

    @Setup
    public void setup() {
        ledger = new Ledger();
        codec = EventCodec.of(ledger);
        current = events(EVENTS, false);
        legacy = events(EVENTS, true);
        openedReader = PLAIN.readerFor(Ledger.Opened.class);
        depositedReader = PLAIN.readerFor(Ledger.Deposited.class);
        withdrawnReader = PLAIN.readerFor(Ledger.Withdrawn.class);
    }

    @Benchmark
    public Ledger.State framework() {
        return fold(current);
    }

    @Benchmark
    public Ledger.State frameworkUpcasting() {
        return fold(legacy);
    }

    @Benchmark
    public Ledger.State handWritten() throws IOException {
        Ledger.State state = Ledger.State.NONE;
        for (RecordedEvent r : current) {
            state = switch (r.type()) {
                case Ledger.OPENED -> {
                    Ledger.Opened o = openedReader.readValue(r.data());
                    yield new Ledger.State(o.owner(), 0, 0, true);
                }
                case Ledger.DEPOSITED -> {
                    Ledger.Deposited d = depositedReader.readValue(r.data());
                    yield new Ledger.State(state.owner(), state.balance() + d.amount(), state.entries() + 1, true);
                }
                case Ledger.WITHDRAWN -> {
                    Ledger.Withdrawn w = withdrawnReader.readValue(r.data());
                    yield new Ledger.State(state.owner(), state.balance() - w.amount(), state.entries() + 1, true);
                }
                default -> throw new IllegalStateException("unknown event type " + r.type());
            };
        }
        return state;
    }

    private Ledger.State fold(List<RecordedEvent> events) {
        Ledger.State state = ledger.initialState();
        for (RecordedEvent r : events) {
            state = ledger.apply(state, codec.decodeEvent(r));
        }
        return state;
    }

    /** The replay input; {@code legacy}: deposits as stored by schema v1. */
    static List<RecordedEvent> events(int count, boolean legacy) {
        EventCodec<Ledger.Event> codec = EventCodec.of(new Ledger());
        StreamId stream = StreamId.of(Ledger.TYPE, "replay");
        Instant ts = Instant.parse("2026-01-01T00:00:00Z");
        EventMetadata meta = new EventMetadata("c", "c", "c", "system");
        List<RecordedEvent> out = new ArrayList<>(count);
        for (int v = 1; v <= count; v++) {
            UUID id = new UUID(0, v);
            if (v == 1) {
                var e = codec.encode(id, new Ledger.Opened("ann"));
                out.add(new RecordedEvent(id, stream, v, e.type(), e.schemaVersion(), e.data(), ts, meta));
            } else if (v % 5 == 0) {
                var e = codec.encode(id, new Ledger.Withdrawn(3, "withdrawal #" + v));
                out.add(new RecordedEvent(id, stream, v, e.type(), e.schemaVersion(), e.data(), ts, meta));
            } else if (legacy) {
                out.add(new RecordedEvent(id, stream, v, Ledger.CREDITED_V1, 1,
                        "{\"sum\":" + v + ",\"memo\":\"deposit #" + v + "\"}", ts, meta));
            } else {
                var e = codec.encode(id, new Ledger.Deposited(v, "deposit #" + v));
                out.add(new RecordedEvent(id, stream, v, e.type(), e.schemaVersion(), e.data(), ts, meta));
            }
        }
        return out;
    }
}
