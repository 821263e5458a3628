package dev.nosqles.app.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderEvent.OrderCancelled;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.readmodel.ReadModelWiring;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.EventPublisherHandler;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.SnapStartPriming;
import dev.nosqles.lambda.StreamSubscriptionHandler;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.metrics.Metrics;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import dev.nosqles.saga.SagaMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The events table's one stream function in the reference application (ADR 0012: one reader per table stream).
 * Subscribers:
 * <ul>
 *   <li>{@value dev.nosqles.lambda.EventPublisherHandler#SUBSCRIBER} (when EVENTS_TOPIC_ARN is set): publishes the
 *       domain events of PUBLISHED_AGGREGATE_TYPES to the SNS FIFO topic, with its own checkpoints
 *       ({@link EventPublisherHandler#subscriber(software.amazon.awssdk.services.sns.SnsClient, String, Set)});</li>
 *   <li>{@value #STARTER}: starts a {@link CreateOrderSaga} for every {@code OrderCreated} (once per event);</li>
 *   <li>{@code saga-CreateOrderSaga-commands}: sends each {@code SagaCommandEvent} to its command queue after
 *       arming its deadline in the index (sweeper deadlines) or scheduling it on the reply queue; the Order's
 *       commands ({@code ApproveOrder}, {@code RejectOrder}) are handled here instead, by the Order as participant,
 *       with its queue as their fallback (ADR 0015);</li>
 *   <li>{@value #REPLY_SENDER}: delivers the replies that Customer and Order asked for
 *       ({@code nosqles.SagaReplyRequested}) to their CreateOrderSaga in this process, without the reply queue; a
 *       reply that cannot be handled here goes to the queue after all (ADR 0013);</li>
 *   <li>{@value #CREDIT_RELEASER}: choreography, no saga: an {@code OrderCancelled} releases the customer's
 *       credit, with the event id as message id (exactly once);</li>
 *   <li>{@code read-model.<name>.<version>}: each version of each read model being fed
 *       ({@link dev.nosqles.app.readmodel.OrderSummaries}), chosen per batch from the registry; after each batch
 *       their freshness is recorded.</li>
 * </ul>
 * The starter, the command sender, the reply sender and the credit releaser keep no checkpoints (ADR 0011); the
 * publisher and the read models do. They all share this function rather than reading the stream themselves: a
 * table stream serves at most two readers (ADR 0007), and every reader costs an invocation per commit (ADR 0012).
 * Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, CHECKPOINTS_TABLE, READ_MODELS_TABLE, EVENTS_TOPIC_ARN and
 * PUBLISHED_AGGREGATE_TYPES, CUSTOMER_COMMANDS_QUEUE_URL, ORDER_COMMANDS_QUEUE_URL, SAGA_REPLIES_QUEUE_URL,
 * SAGA_DEADLINES_TABLE (the starter records each new saga's deadline), SAGA_UNSENT_COMMAND_ALLOWANCE_SECONDS (optional:
 * deadlines kept by the sweeper alone, the command sender arms them; ADR 0013), SUBJECT_KEYS_TABLE and
 * PERSONAL_DATA_KEY_ID (the credit releaser loads customers), BATCH_CONCURRENCY (optional: aggregates of a batch
 * dispatched at once, ADR 0019), SAGA_STATE_CACHE (optional: sagas whose state is kept between steps, ADR 0018),
 * AWS_REGION.
 */
public final class OrderSagaStreamHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    public static final String STARTER = "create-order-saga-starter";
    public static final String REPLY_SENDER = "saga-reply-sender";
    public static final String CREDIT_RELEASER = "release-credit-on-order-cancelled";
    /** The SNS FIFO topic the domain events are published to; unset: nothing published. */
    public static final String EVENTS_TOPIC_ARN = "EVENTS_TOPIC_ARN";
    /** The aggregate types whose events are published, comma-separated (with EVENTS_TOPIC_ARN). */
    public static final String PUBLISHED_AGGREGATE_TYPES = "PUBLISHED_AGGREGATE_TYPES";

    private final StreamSubscriptionHandler stream;
    /** Held here: CRaC keeps resources only weakly. */
    private SnapStartPriming priming;

    public OrderSagaStreamHandler() {
        this(FunctionEnvironment.system());
        this.priming = SnapStartPriming.register(this::prime);
    }

    public OrderSagaStreamHandler(Function<String, String> env) {
        this(FunctionEnvironment.of(env));
    }

    private OrderSagaStreamHandler(FunctionEnvironment env) {
        this(SagaWiring.fromEnvironment(env, true), CreateOrderSaga.definition(), publisher(env), env.telemetry(),
                env.batchConcurrency());
    }

    /** The event publisher where EVENTS_TOPIC_ARN is set (then PUBLISHED_AGGREGATE_TYPES must be), else null. */
    private static Subscriber publisher(FunctionEnvironment env) {
        return env.isSet(EVENTS_TOPIC_ARN) ? EventPublisherHandler.subscriber(env.sns(),
                env.required(EVENTS_TOPIC_ARN), EventPublisherHandler.publishedTypes(
                        env.required(PUBLISHED_AGGREGATE_TYPES))) : null;
    }

    private OrderSagaStreamHandler(SagaWiring wiring, SagaDefinition<CreateOrderSagaData> definition,
                                   Subscriber publisher, Telemetry telemetry, int concurrency) {
        // the credit releaser loads customers: their personal data decrypts with the subject keys
        this(subscribers(new Application(wiring.events(), wiring.snapshots(), wiring.clock(), UUID::randomUUID,
                        Application.subjectKeys(wiring.environment()), telemetry.metrics()),
                withOrderInProcess(through -> wiring.manager(definition, telemetry.metrics(), through),
                        wiring.events(), wiring.snapshots(), wiring.clock(), telemetry.metrics(), wiring.sender()),
                wiring.sender(), publisher, true),
                wiring.checkpoints(), wiring.events(), ReadModelWiring.configured(wiring.environment())
                        ? ReadModelWiring.fromEnvironment(wiring.environment(), wiring.events(), wiring.clock(),
                        false) : null, telemetry, concurrency);
    }

    /**
     * For tests and the local runtime: the sagas, and the read models when {@code readModels} is given. The read
     * models' subscribers are chosen per batch ({@link DynamoDbReadModels#subscribers()}: the versions being fed
     * come and go with rebuilds), and their freshness is recorded after each batch.
     *
     * @param deadlines   the deadline index the starter records each new saga's deadline in
     *                    ({@link SagaDeadlines#none()}: none)
     * @param subjectKeys what the credit releaser loads customers with: the keys that wrote them (other keys
     *                    cannot decrypt them)
     * @param readModels  null: the sagas alone (no READ_MODELS_TABLE in the environment)
     * @param publisher   the event publisher ({@link EventPublisherHandler#subscriber}); null: nothing published
     *                    (no EVENTS_TOPIC_ARN in the environment)
     * @param inProcess   true (as deployed): the participants' replies are handled here, the reply queue is
     *                    their fallback (ADR 0013), and so are the Order's commands, the order-commands queue
     *                    being theirs (ADR 0015); false: every reply and command goes through {@code sender} (tests
     *                    of the queues' paths, which fallbacks, redrives and other services' messages still take)
     */
    public OrderSagaStreamHandler(EventStore events, SnapshotStore snapshots, CheckpointStore checkpoints,
                                  SagaMessageSender sender, SagaDeadlines deadlines,
                                  SagaDefinition<CreateOrderSagaData> definition, Clock clock,
                                  SubjectKeys subjectKeys, DynamoDbReadModels readModels, Subscriber publisher,
                                  boolean inProcess) {
        this(subscribers(new Application(events, snapshots, clock, UUID::randomUUID, subjectKeys),
                inProcess ? withOrderInProcess(through -> manager(definition, events, snapshots, deadlines, clock,
                        through), events, snapshots, clock, Metrics.none(), sender)
                        : manager(definition, events, snapshots, deadlines, clock, sender),
                sender, publisher, inProcess), checkpoints,
                events, readModels, Telemetry.fromEnvironment(name -> null), 1);
    }

    private static SagaManager<CreateOrderSagaData> manager(SagaDefinition<CreateOrderSagaData> definition,
                                                            EventStore events, SnapshotStore snapshots,
                                                            SagaDeadlines deadlines, Clock clock,
                                                            SagaMessageSender sender) {
        return SagaManager.builder(definition).eventStore(events).snapshotStore(snapshots).sender(sender)
                .deadlines(deadlines).clock(clock).build();
    }

    /**
     * The manager {@code build} makes from a sender, given one that hands the Order's commands to the Order as
     * participant here (ADR 0015). The Order's own replies (the recorded reply of a duplicate command, as a retried
     * stream batch makes, or the failure reply to a missing order) go to the manager here too (ADR 0013), so that
     * they cost no queue message; everything else goes to {@code queues}.
     */
    private static SagaManager<CreateOrderSagaData> withOrderInProcess(
            Function<SagaMessageSender, SagaManager<CreateOrderSagaData>> build, EventStore events,
            SnapshotStore snapshots, Clock clock, Metrics metrics, SagaMessageSender queues) {
        AtomicReference<SagaMessageSender> repliesHere = new AtomicReference<>(queues);
        SagaMessageSender orderReplies = new SagaMessageSender() {
            @Override
            public void send(SagaMessage.CommandMessage command) {
                queues.send(command);
            }

            @Override
            public void send(SagaMessage.ReplyMessage reply) {
                repliesHere.get().send(reply);
            }

            @Override
            public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
                queues.schedule(deadline, delay);
            }
        };
        SagaManager<CreateOrderSagaData> manager = build.apply(OrderCommandHandler.participant(events, snapshots,
                clock, metrics, orderReplies).inProcessCommands(queues));
        repliesHere.set(manager.inProcessReplies(queues));
        return manager;
    }

    /** @param readModels null: the sagas alone (no READ_MODELS_TABLE in the environment) */
    private OrderSagaStreamHandler(List<Subscriber> sagas, CheckpointStore checkpoints, EventStore events,
                                   DynamoDbReadModels readModels, Telemetry telemetry, int concurrency) {
        // the read models are chosen per batch, and record their freshness after it, only when the batch holds
        // commits of a type they handle: the saga's own commits cost them no request
        this.stream = new StreamSubscriptionHandler((readModels == null ? new EventDispatcher(sagas, checkpoints,
                events) : new EventDispatcher(types -> {
                    List<Subscriber> all = new ArrayList<>(sagas);
                    all.addAll(readModels.subscribers(types));
                    return all;
                }, checkpoints, events)).withConcurrency(concurrency),
                readModels == null ? (newest, types) -> { } : readModels::recordFed, telemetry);
    }

    /** How many aggregates of a batch this function dispatches at once. */
    public int concurrency() {
        return stream.concurrency();
    }

    /**
     * @param publisher        null: none
     * @param repliesInProcess the participants' replies handled here, the queue as their fallback (ADR 0013)
     */
    static List<Subscriber> subscribers(Application app, SagaManager<CreateOrderSagaData> sagas,
                                        SagaMessageSender sender, Subscriber publisher, boolean repliesInProcess) {
        List<Subscriber> all = new ArrayList<>();
        if (publisher != null) {
            all.add(publisher);
        }
        all.addAll(List.of(
                sagas.starter(STARTER, new Order(), OrderCreated.class, created -> new CreateOrderSagaData(
                        created.streamId().id(), created.event().customerId(), created.event().orderTotal())),
                sagas.commandSender(),
                // the CreateOrderSagas run here too: their replies skip the reply queue (ADR 0013)
                SagaParticipant.replySender(REPLY_SENDER, repliesInProcess ? sagas.inProcessReplies(sender) : sender,
                        Customer.TYPE, Order.TYPE),
                creditReleaser(app.customers())));
        return List.copyOf(all);
    }

    private static Subscriber creditReleaser(
            AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers) {
        // no checkpoints (ADR 0011): the release carries the event id as message id, which the customer records
        return Subscriber.builder(CREDIT_RELEASER).withoutCheckpoints()
                .on(new Order(), Set.of(OrderCancelled.class), (event, ctx) -> {
            OrderCancelled cancelled = (OrderCancelled) event.event();
            customers.update(cancelled.customerId(), new ReleaseCredit(event.streamId().id()),
                    releaseMetadata(event));
        }).build();
    }

    /**
     * The release's metadata: the event id as message id (exactly once), and the event's commit timestamp as
     * when the "message" was first sent (the customer's duplicate search starts there).
     */
    static EventMetadata releaseMetadata(EventEnvelope<?> event) {
        return EventMetadata.empty().withMessageId(event.eventId().toString())
                .withCausationId(event.eventId().toString())
                .withCorrelationId(event.metadata().correlationId())
                .withPrincipal(event.metadata().principal())
                .withMessageSentAt(event.timestamp());
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return stream.handleRequest(event, context);
    }

    /** Harmless work that warms this function ({@link StreamSubscriptionHandler#prime()}): writes nothing. */
    public void prime() {
        stream.prime();
    }
}
