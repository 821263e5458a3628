package dev.nosqles.bench;

import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Events of an exact serialised size, encoded by the framework's codec, and metadata as the repository fills it. */
public final class Payloads {
    private static final EventCodec<Ledger.Event> CODEC = EventCodec.of(new Ledger());

    private Payloads() {
    }

    public static EventCodec<Ledger.Event> codec() {
        return CODEC;
    }

    /** A deposit whose JSON data is exactly {@code dataBytes} long (ASCII memo padding). */
    public static Ledger.Deposited deposit(long amount, int dataBytes) {
        int bare = utf8(CODEC.encode(UUID.randomUUID(), new Ledger.Deposited(amount, "")).data());
        if (dataBytes < bare) {
            throw new IllegalArgumentException("an event needs at least " + bare + " bytes, asked " + dataBytes);
        }
        Ledger.Deposited event = new Ledger.Deposited(amount, "m".repeat(dataBytes - bare));
        int actual = utf8(CODEC.encode(UUID.randomUUID(), event).data());
        if (actual != dataBytes) {
            throw new IllegalStateException("padding gave " + actual + " bytes instead of " + dataBytes);
        }
        return event;
    }

    /** {@code count} encoded deposits of {@code dataBytes} each (random event ids: fixed length). */
    public static List<NewEvent> deposits(int count, int dataBytes, long firstAmount) {
        List<NewEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(CODEC.encode(UUID.randomUUID(), deposit(firstAmount + i, dataBytes)));
        }
        return events;
    }

    public static NewEvent opened(String owner) {
        return CODEC.encode(UUID.randomUUID(), new Ledger.Opened(owner));
    }

    /** Metadata as {@link dev.nosqles.aggregate.AggregateRepository} completes it: the message id as correlation and causation id, principal "system". */
    public static EventMetadata metadata() {
        String id = UUID.randomUUID().toString();
        return new EventMetadata(id, id, id, "system");
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
