package dev.nosqles.subscription;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.aggregate.Upcasters;
import dev.nosqles.internal.Json;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.store.RecordedEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named consumer of events with its own checkpoint per aggregate: it receives every event of the aggregate
 * types it subscribes to exactly once in effect, in version order per aggregate (see ADR 0003). A relay whose
 * every effect its receiver deduplicates may do without checkpoints ({@link Builder#withoutCheckpoints()}, ADR 0011).
 *
 * <pre>{@code
 * Subscriber.builder("order-projection")
 *     .on(new Order(), (event, ctx) -> { ... })             // every Order domain event, decoded and upcast
 *     .on(new Order(), Set.of(OrderCreated.class), handler) // only these types
 *     .onRaw("Customer", (recorded, ctx) -> { ... })        // stored form, pseudo events included
 *     .build();
 * }</pre>
 * A subscriber whose effect a service takes in batches holds one {@link RawBatchHandler} instead
 * ({@link Builder#onRawBatch}, ADR 0022): it is handed the events of many aggregates per call, at most one of each,
 * and answers which of them did not take effect.
 * <pre>{@code
 * Subscriber.builder("to-partners")
 *     .onRawBatch(Set.of("Order"), events -> {               // the next event of up to every Order of the batch
 *         Map<Integer, Exception> failed = new HashMap<>();
 *         // one request for all of them; put the index of each entry the service refused into failed
 *         return failed;                                       // the others took effect: their checkpoints move
 *     })
 *     .build();
 * }</pre>
 */
public final class Subscriber {
    /** Matches every aggregate type in {@link Builder#onRaw}. */
    public static final String ALL = "*";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._\\-]{1,100}");

    private final String name;
    private final List<Binding> bindings;
    private final boolean keepsCheckpoints;
    /** The one handler of a batched subscriber, or null. */
    private final RawBatchHandler batch;

    private Subscriber(String name, List<Binding> bindings, boolean keepsCheckpoints, RawBatchHandler batch) {
        this.name = name;
        this.bindings = List.copyOf(bindings);
        this.keepsCheckpoints = keepsCheckpoints;
        this.batch = batch;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /**
     * Whether this subscriber keeps a checkpoint per aggregate (the default: exactly once in effect, in version
     * order, gaps filled from the store), or is a relay built {@link Builder#withoutCheckpoints()}.
     */
    public boolean keepsCheckpoints() {
        return keepsCheckpoints;
    }

    /** The aggregate types this subscriber wants. */
    public Set<String> aggregateTypes() {
        return bindings.stream().map(Binding::aggregateType).collect(java.util.stream.Collectors.toSet());
    }

    /** The batch handler of a subscriber built with {@link Builder#onRawBatch}, or null. */
    RawBatchHandler batchHandler() {
        return batch;
    }

    boolean wants(String aggregateType) {
        return bindings.stream().anyMatch(b -> b.matches(aggregateType));
    }

    /** Hands the event to every matching handler; true if any handler ran. */
    boolean deliver(RecordedEvent event, HandlerContext context) throws Exception {
        boolean delivered = false;
        for (Binding binding : bindings) {
            if (binding.matches(event.streamId().type())) {
                delivered |= binding.deliver(event, context);
            }
        }
        return delivered;
    }

    private interface Binding {
        String aggregateType();

        default boolean matches(String type) {
            return aggregateType().equals(ALL) || aggregateType().equals(type);
        }

        boolean deliver(RecordedEvent event, HandlerContext context) throws Exception;
    }

    /** An aggregate type a batch handler takes: its events are handed over in rounds, never one by one. */
    private record Batched(String aggregateType) implements Binding {
        @Override
        public boolean deliver(RecordedEvent event, HandlerContext context) {
            throw new IllegalStateException("the events of a batch handler are handed over in rounds");
        }
    }

    private record Raw(String aggregateType, RawEventHandler handler) implements Binding {
        @Override
        public boolean deliver(RecordedEvent event, HandlerContext context) throws Exception {
            handler.handle(event, context);
            return true;
        }
    }

    /**
     * Decoded, upcast domain events. With a set of wanted types ({@code names}: their registered type names), the
     * stored type name is looked at first, so that an event type this deployment does not know (a newer writer's)
     * never blocks a handler that did not ask for it; a stored name that an upcaster renames is upcast first to
     * learn the name it ends at. Without a set, every domain event is decoded: an unknown type fails loudly.
     */
    private record Typed<E>(String aggregateType, EventCodec<E> codec, Upcasters upcasters,
                            Optional<Set<String>> names, EventHandler<E> handler) implements Binding {
        @Override
        public boolean deliver(RecordedEvent event, HandlerContext context) throws Exception {
            if (PseudoEvents.isPseudo(event.type())) {
                return false;
            }
            if (names.isPresent() && !currentName(event).map(names.get()::contains).orElse(true)) {
                return false;
            }
            var envelope = codec.decode(event);
            if (names.isEmpty() || names.get().contains(envelope.type())) {
                handler.handle(envelope, context);
                return true;
            }
            return false;
        }

        /** The type name the event has after upcasting; empty when that cannot be told without decoding. */
        private Optional<String> currentName(RecordedEvent event) {
            if (!upcasters.appliesTo(event.type(), event.schemaVersion())) {
                return Optional.of(event.type());
            }
            try {
                if (Json.mapper().readTree(event.data()) instanceof ObjectNode data) {
                    return Optional.of(upcasters.upcast(
                            new Upcasters.JsonEvent(event.type(), event.schemaVersion(), data)).type());
                }
            } catch (JsonProcessingException | RuntimeException e) {
                // not JSON, or an upcaster failed: decoding reports it, typed
            }
            return Optional.empty();
        }
    }

    private static <E> Set<String> registeredNames(Aggregate<?, ?, E> aggregate, Set<Class<? extends E>> classes) {
        Set<String> names = new HashSet<>();
        for (Class<? extends E> c : classes) {
            names.add(aggregate.eventTypes().all().stream().filter(t -> t.javaClass().equals(c)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("event class " + c.getSimpleName()
                            + " is not registered in the EventTypes of " + aggregate.type()))
                    .name());
        }
        return Set.copyOf(names);
    }

    /** Builds a {@link Subscriber}. */
    public static final class Builder {
        private final String name;
        /** Each binding, made in {@link #build()} with the subject keys then configured. */
        private final List<java.util.function.Function<dev.nosqles.privacy.SubjectKeys, Binding>> bindings =
                new ArrayList<>();
        private dev.nosqles.privacy.SubjectKeys keys;
        private boolean keepsCheckpoints = true;
        private RawBatchHandler batch;

        private Builder(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("subscriber name must match " + NAME.pattern());
            }
            this.name = name;
        }

        /** Every domain event of the aggregate's type. */
        public <E> Builder on(Aggregate<?, ?, E> aggregate, EventHandler<E> handler) {
            Objects.requireNonNull(handler, "handler");
            bindings.add(k -> new Typed<>(aggregate.type(), EventCodec.of(aggregate, k), aggregate.upcasters(),
                    Optional.empty(), handler));
            return this;
        }

        /**
         * Only the given event classes of the aggregate's type. Other events are not decoded: a stored type this
         * deployment does not know passes by (the checkpoint moves on) instead of failing the handler.
         *
         * @throws IllegalArgumentException a class is not registered in the aggregate's {@code EventTypes}
         */
        public <E> Builder on(Aggregate<?, ?, E> aggregate, Set<Class<? extends E>> eventTypes, EventHandler<E> handler) {
            Objects.requireNonNull(handler, "handler");
            Optional<Set<String>> names = Optional.of(registeredNames(aggregate, eventTypes));
            bindings.add(k -> new Typed<>(aggregate.type(), EventCodec.of(aggregate, k), aggregate.upcasters(),
                    names, handler));
            return this;
        }

        /** Every stored event of an aggregate type ({@link #ALL}: of every type), as stored, pseudo events included. */
        public Builder onRaw(String aggregateType, RawEventHandler handler) {
            Objects.requireNonNull(handler, "handler");
            bindings.add(k -> new Raw(aggregateType, handler));
            return this;
        }

        /**
         * One handler for every stored event of these aggregate types ({@link #ALL}: of every type), pseudo events
         * included, handed over in rounds of many aggregates at once (ADR 0022): for an effect a service takes in
         * batches. Still exactly once in effect per aggregate with checkpoints (each aggregate's checkpoint moves
         * once per stream batch), and in version order per aggregate: a round holds at most one event per
         * aggregate. A subscriber with a batch handler has no other handler.
         *
         * @throws IllegalStateException a batch handler was bound already
         */
        public Builder onRawBatch(Set<String> aggregateTypes, RawBatchHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (aggregateTypes.isEmpty()) {
                throw new IllegalArgumentException("a batch handler needs at least one aggregate type");
            }
            if (batch != null) {
                throw new IllegalStateException("a subscriber has at most one batch handler");
            }
            batch = handler;
            aggregateTypes.stream().sorted().forEach(type -> bindings.add(k -> new Batched(
                    Objects.requireNonNull(type, "aggregate type"))));
            return this;
        }

        /**
         * The subject keys the typed handlers' events are decrypted with (ADR 0008): personal fields decode as their
         * plaintext, or as the declared placeholder once the subject is forgotten. Without them an encrypted field
         * fails decoding with {@link dev.nosqles.privacy.MissingSubjectKeysException}. Raw handlers get the stored
         * data as is (encrypted fields as tokens).
         */
        public Builder subjectKeys(dev.nosqles.privacy.SubjectKeys keys) {
            this.keys = keys;
            return this;
        }

        /**
         * A relay without checkpoints (ADR 0011): no checkpoint is read or written for it, so it costs no request
         * beyond its handlers' own. It gets the events of each batch the stream delivers, in stream order, <b>at
         * least once</b>: a batch Lambda retries is handed to it again, and a commit the stream never delivered is
         * not read from the store for it. Only for handlers whose every effect is deduplicated where it lands, by
         * an id derived from the event: an aggregate command carrying the event id as message id, a create keyed by
         * it (a saga started from the event), a message whose id the receiver records (a saga command or reply).
         * {@link HandlerContext#writeWithCheckpoint} and {@link HandlerContext#attachment} are refused with an
         * {@link IllegalStateException}: there is no checkpoint to commit them with.
         */
        public Builder withoutCheckpoints() {
            this.keepsCheckpoints = false;
            return this;
        }

        public Subscriber build() {
            if (bindings.isEmpty()) {
                throw new IllegalStateException("a subscriber needs at least one handler");
            }
            List<Binding> made = new ArrayList<>(bindings.size());
            for (var b : bindings) {
                made.add(b.apply(keys));
            }
            if (batch != null && !made.stream().allMatch(b -> b instanceof Batched)) {
                throw new IllegalStateException("a subscriber with a batch handler has no other handler");
            }
            return new Subscriber(name, made, keepsCheckpoints, batch);
        }
    }
}
