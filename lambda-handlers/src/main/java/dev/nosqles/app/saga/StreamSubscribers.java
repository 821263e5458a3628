package dev.nosqles.app.saga;

import dev.nosqles.app.Application;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.order.Order;
import dev.nosqles.lambda.EventPublisherHandler;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What an operator's tool needs to know of the reference application's stream subscribers and saga channels
 * (the tables do not say it): each subscriber's name with the aggregate types it handles, and each participant
 * channel's target aggregate type. The read models' subscribers come and go with their versions: their registry
 * lists them ({@code read-model.<name>.<version>}).
 */
public final class StreamSubscribers {
    /** The event publisher's aggregate types, as template.yaml sets PUBLISHED_AGGREGATE_TYPES. */
    public static final Set<String> PUBLISHED_TYPES = Set.of(Order.TYPE, Customer.TYPE);

    private StreamSubscribers() {
    }

    /**
     * Subscriber name to the aggregate types it handles, for the subscribers that keep checkpoints (their lag can be
     * read from the checkpoints table): the sagas' stream function's, built by its own wiring (on in-memory stores,
     * nothing sent), then the event publisher's (which that function holds too, ADR 0012). The read models' come
     * from their registry.
     */
    public static Map<String, Set<String>> withCheckpoints() {
        Map<String, Set<String>> all = new LinkedHashMap<>();
        sagaSubscribers().stream().filter(Subscriber::keepsCheckpoints)
                .forEach(s -> all.put(s.name(), Set.copyOf(s.aggregateTypes())));
        all.put(EventPublisherHandler.SUBSCRIBER, PUBLISHED_TYPES);
        return all;
    }

    /**
     * The relays without checkpoints (ADR 0011), name to aggregate types: the saga starter, command sender and reply
     * sender, and the credit releaser. Their receivers deduplicate; no checkpoint tells how far they are, their
     * backlog is the sagas' stream function's (its {@code SubscriptionLag} metric, the stream's iterator age).
     */
    public static Map<String, Set<String>> relays() {
        Map<String, Set<String>> relays = new LinkedHashMap<>();
        sagaSubscribers().stream().filter(s -> !s.keepsCheckpoints())
                .forEach(s -> relays.put(s.name(), Set.copyOf(s.aggregateTypes())));
        return relays;
    }

    private static List<Subscriber> sagaSubscribers() {
        InMemoryEventStore events = new InMemoryEventStore();
        SagaMessageSender nothing = new SagaMessageSender() {
            @Override
            public void send(SagaMessage.CommandMessage command) {
                throw new UnsupportedOperationException("listing only");
            }

            @Override
            public void send(SagaMessage.ReplyMessage reply) {
                throw new UnsupportedOperationException("listing only");
            }

            @Override
            public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
                throw new UnsupportedOperationException("listing only");
            }
        };
        Clock clock = Clock.systemUTC();
        return OrderSagaStreamHandler.subscribers(
                new Application(events, SnapshotStore.none(), clock, UUID::randomUUID),
                SagaManager.builder(CreateOrderSaga.definition()).eventStore(events)
                        .snapshotStore(SnapshotStore.none()).sender(nothing).deadlines(SagaDeadlines.none())
                        .clock(clock).build(), nothing, null, true);
    }

    /** Participant channel name to the aggregate type its commands target (as the channels name it). */
    public static Map<String, String> participantChannels() {
        return Map.of(CreateOrderSaga.CUSTOMER_COMMANDS.name(), CreateOrderSaga.CUSTOMER_COMMANDS.participant()
                        .orElseThrow(), CreateOrderSaga.ORDER_COMMANDS.name(), CreateOrderSaga.ORDER_COMMANDS
                        .participant().orElseThrow());
    }
}
