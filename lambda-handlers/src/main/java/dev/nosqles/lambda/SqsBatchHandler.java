package dev.nosqles.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.logging.LogContext;
import dev.nosqles.logging.LoggableFailures;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * One SQS batch, message by message: decode a record's body, handle the message, report the failures as an
 * {@link SQSBatchResponse} (the event source mapping must set {@code FunctionResponseTypes:
 * [ReportBatchItemFailures]}). The entry points compose it; it holds no AWS client.
 *
 * <p>The failure policy follows the queue, read per record from its {@value #MESSAGE_GROUP_ID} system attribute
 * (SQS sets it on FIFO messages only):
 * <ul>
 *   <li>FIFO: a failed message fails every later message of <em>its message group</em> in the batch without
 *       handling them, so that SQS redelivers them in order; messages of other groups still run. (Powertools for
 *       AWS Lambda calls this "skip group on error".)</li>
 *   <li>Standard: a failed message fails only itself.</li>
 *   <li>A record without a group whose {@code eventSourceARN} names a FIFO queue ({@code .fifo}; an emulator or a
 *       hand-built event that left the attribute out): its group is unknown, so the batch is taken as one group
 *       (a failure of such a record fails the rest of the batch, and such a record after any failure fails
 *       unhandled), with one warning per batch. Order is kept at the cost of holding back other groups.</li>
 * </ul>
 * A failure (decoding or handling; a {@link RuntimeException}) is logged at ERROR with the SQS message id, the
 * exception's message and stack trace ({@link LoggableFailures}: withheld only for exceptions known to quote their
 * input), inside the message's log scope ({@link Telemetry#message}); the body is never logged. A message handled is
 * counted with {@link Telemetry#handled} (redrives).
 *
 * @param <T> the decoded message
 */
public final class SqsBatchHandler<T> {
    /** The system attribute carrying a FIFO message's group; absent on a standard queue. */
    public static final String MESSAGE_GROUP_ID = "MessageGroupId";
    /** The most message groups of one batch handled at once ({@link #withConcurrency}). */
    public static final int MAX_CONCURRENCY = 64;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqsBatchHandler.class);

    /** Handles one decoded message. */
    @FunctionalInterface
    public interface MessageHandler<T> {
        /**
         * @param log the message's log scope: add the ids the message carries (saga id, correlation id...)
         * @throws RuntimeException the message failed: SQS redelivers it
         */
        void handle(T message, LogContext log);
    }

    private final String description;
    private final Function<String, ? extends T> decoder;
    private final MessageHandler<? super T> handler;
    private final Telemetry telemetry;
    /** Message groups of one batch handled at once (1: one message after another, in the calling thread). */
    private final int concurrency;

    /**
     * @param description what the messages are, for the error line ("saga command on customer-commands")
     * @param decoder     reads a record's body; throws on a body it cannot read (the message fails)
     * @param handler     handles a decoded message
     * @param telemetry   the function's logs and metrics
     */
    public SqsBatchHandler(String description, Function<String, ? extends T> decoder,
                           MessageHandler<? super T> handler, Telemetry telemetry) {
        this.description = Objects.requireNonNull(description, "description");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.concurrency = 1;
    }

    private SqsBatchHandler(SqsBatchHandler<T> other, int concurrency) {
        this.description = other.description;
        this.decoder = other.decoder;
        this.handler = other.handler;
        this.telemetry = other.telemetry;
        this.concurrency = concurrency;
    }

    /**
     * This handler, handling up to {@code groups} message groups of a batch at once, each on its own thread (ADR
     * 0019): a FIFO queue's messages of one group still one after another, in order, with "skip group on error";
     * a standard queue's messages each on their own. A FIFO batch with a message of unknown group is handled one
     * message after another, as one group. The message handler must then be safe to call from several threads.
     *
     * @throws IllegalArgumentException when {@code groups} is not 1..{@value #MAX_CONCURRENCY}
     */
    public SqsBatchHandler<T> withConcurrency(int groups) {
        if (groups < 1 || groups > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be 1.." + MAX_CONCURRENCY + ", was " + groups);
        }
        return new SqsBatchHandler<>(this, groups);
    }

    /** The message groups of a batch this handler handles at once. */
    public int concurrency() {
        return concurrency;
    }

    /**
     * One invocation of the function: {@link #handle} inside the function's {@link Telemetry#invocation} (the
     * invocation's log context, its metrics flushed). An entry point's {@code handleRequest} delegates here.
     */
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return telemetry.invocation(context, () -> handle(event));
    }

    /**
     * Harmless work that warms the batch path (SnapStart priming): an empty batch handled as one invocation. An
     * entry point's {@code prime()} calls it, then primes what the handler holds.
     */
    public void primeWithEmptyBatch() {
        SQSEvent empty = new SQSEvent();
        empty.setRecords(List.of());
        handleRequest(empty, null);
    }

    /** Handles the batch in order; answers the ids of the messages SQS must deliver again. */
    public SQSBatchResponse handle(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of()
                : event.getRecords();
        Map<String, List<Integer>> lanes = concurrency > 1 ? lanes(records) : null;
        if (lanes != null && lanes.size() > 1) {
            return inParallel(records, lanes);
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        Set<String> failedGroups = new HashSet<>();
        boolean anyFailed = false;
        boolean restFailed = false; // a FIFO message of an unknown group failed: the whole batch is one group
        boolean warned = false;
        for (SQSEvent.SQSMessage record : records) {
            String group = messageGroupId(record);
            boolean groupUnknown = group == null && fromFifoQueue(record);
            if (groupUnknown && !warned) {
                warned = true;
                LOG.warn("{} {}: a FIFO queue's message without {}; the batch is handled as one message group",
                        description, record.getMessageId(), MESSAGE_GROUP_ID);
            }
            if (restFailed || (group != null && failedGroups.contains(group)) || (groupUnknown && anyFailed)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                // a message of unknown group not handled may be of any group: none after it may go first
                restFailed |= groupUnknown;
                continue;
            }
            if (!handle(record)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                anyFailed = true;
                if (group != null) {
                    failedGroups.add(group);
                }
                restFailed |= groupUnknown;
            }
        }
        return new SQSBatchResponse(failures);
    }

    /**
     * The batch's lanes, by the records' indexes: a FIFO group's messages in order, or a standard queue's message
     * alone. Null when a FIFO queue's message has no group: the batch is then one group.
     */
    private static Map<String, List<Integer>> lanes(List<SQSEvent.SQSMessage> records) {
        Map<String, List<Integer>> lanes = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            SQSEvent.SQSMessage record = records.get(i);
            String group = messageGroupId(record);
            if (group == null && fromFifoQueue(record)) {
                return null;
            }
            lanes.computeIfAbsent(group != null ? "group:" + group : "message:" + i, k -> new ArrayList<>()).add(i);
        }
        return lanes;
    }

    /**
     * The lanes on up to {@link #concurrency} threads; a lane stops at its first failure and fails the rest of it
     * unhandled. The failures are answered in the batch's order.
     */
    private SQSBatchResponse inParallel(List<SQSEvent.SQSMessage> records, Map<String, List<Integer>> lanes) {
        Set<Integer> failed = ConcurrentHashMap.newKeySet();
        List<List<Integer>> submitted = List.copyOf(lanes.values());
        List<Future<Object>> done = new ArrayList<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(Math.min(concurrency, submitted.size()),
                Thread.ofPlatform().name("batch-worker").daemon().factory())) {
            for (List<Integer> lane : submitted) {
                done.add(workers.submit(LogContext.carried(() -> {
                    boolean laneFailed = false;
                    for (int index : lane) {
                        if (laneFailed || !handle(records.get(index))) {
                            laneFailed = true;
                            failed.add(index);
                        }
                    }
                    return null;
                })));
            }
        } // close() waits for every lane, whatever an earlier one did
        Error fatal = null;
        for (int i = 0; i < done.size(); i++) {
            Future<Object> lane = done.get(i);
            if (lane.state() == Future.State.SUCCESS) {
                continue;
            }
            failed.addAll(submitted.get(i)); // not handled in full: SQS delivers the lane again
            Throwable thrown = lane.state() == Future.State.FAILED ? lane.exceptionNow() : null;
            if (thrown instanceof Error error) {
                fatal = fatal == null ? error : fatal;
            } else if (thrown != null) {
                LOG.error("{}: a worker failed: {}", description, LoggableFailures.describe(thrown),
                        LoggableFailures.loggable(thrown));
            }
        }
        if (fatal != null) {
            throw fatal; // ends the invocation, as it does without workers: SQS delivers the batch again
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (failed.contains(i)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** The record came from a FIFO queue (its ARN ends in {@code .fifo}), whatever its attributes say. */
    static boolean fromFifoQueue(SQSEvent.SQSMessage record) {
        String arn = record.getEventSourceArn();
        return arn != null && arn.endsWith(".fifo");
    }

    private boolean handle(SQSEvent.SQSMessage record) {
        try (LogContext log = telemetry.message(record.getMessageId(), record.getAttributes())) {
            try {
                handler.handle(decoder.apply(record.getBody()), log);
                telemetry.handled(redrivenAt(record));
                return true;
            } catch (RuntimeException e) {
                LOG.error("{} {} failed: {}", description, record.getMessageId(), LoggableFailures.describe(e),
                        LoggableFailures.loggable(e));
                return false;
            }
        }
    }

    /** The record's FIFO message group, or null on a standard queue. */
    public static String messageGroupId(SQSEvent.SQSMessage record) {
        Map<String, String> attributes = record.getAttributes();
        String group = attributes == null ? null : attributes.get(MESSAGE_GROUP_ID);
        return group == null || group.isEmpty() ? null : group;
    }

    /** The {@value Telemetry#REDRIVEN_AT} message attribute an operator's redrive set, or null. */
    static String redrivenAt(SQSEvent.SQSMessage record) {
        if (record.getMessageAttributes() == null) {
            return null;
        }
        SQSEvent.MessageAttribute attribute = record.getMessageAttributes().get(Telemetry.REDRIVEN_AT);
        return attribute == null ? null : attribute.getStringValue();
    }
}
