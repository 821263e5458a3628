package dev.nosqles.runtime.esm;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.nosqles.runtime.esm.internal.CheckpointStore;
import dev.nosqles.runtime.esm.internal.FailureRecords;
import dev.nosqles.runtime.esm.internal.FilterRecords;
import dev.nosqles.runtime.esm.internal.LocalContext;
import dev.nosqles.runtime.esm.internal.PollLoop;
import dev.nosqles.runtime.esm.internal.StreamRecordConverter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * A DynamoDB Streams event-source mapping on the local AWS: reads the table's stream with the SDK v2 Streams client
 * and invokes a {@code RequestHandler<DynamodbEvent, ?>} with Lambda's semantics.
 *
 * <p>Per shard, records are handed over strictly in order and a batch is settled (succeeded, partly succeeded,
 * or given up) before any later record is handed over. After each settlement the last settled sequence number is
 * written to the checkpoint table before the next invocation, so a new poller with the same mapping id resumes
 * right after it. A failed record set is kept in memory for its retries; if the poller is stopped or dies before
 * settling it, a new poller reads it again from the stream (retry counts start over).
 *
 * <p>Each read asks for a fresh shard iterator from the checkpoint (AFTER_SEQUENCE_NUMBER, or TRIM_HORIZON when
 * there is none), so no iterator is held between polls.
 */
public final class DynamoDbStreamPoller implements EventSourcePoller {
    private static final System.Logger LOG = System.getLogger(DynamoDbStreamPoller.class.getName());
    private static final Duration DEFAULT_FUNCTION_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration IDLE_WAIT = Duration.ofMillis(250);

    private final StreamMapping mapping;
    private final RequestHandler<DynamodbEvent, ?> handler;
    private final EsmClients clients;
    private final CheckpointStore checkpoints;
    private final String streamArn;
    private final Duration functionTimeout;
    private final Clock clock = Clock.systemUTC();
    private final PollLoop loop;

    /** Last settled position per shard, as stored (empty = before the first record). Guarded by this. */
    private final Map<String, Optional<String>> positions = new HashMap<>();
    /** Record sets handed over but not yet settled, the head first. Guarded by this. */
    private final Deque<RecordSet> pending = new ArrayDeque<>();
    private final Object settleLock = new Object();
    private boolean abandoned; // guarded by settleLock

    /** A poller with a function timeout (reported by {@code Context}) of one minute. */
    public DynamoDbStreamPoller(StreamMapping mapping, RequestHandler<DynamodbEvent, ?> handler, EsmClients clients,
                                String checkpointTable) {
        this(mapping, handler, clients, checkpointTable, DEFAULT_FUNCTION_TIMEOUT);
    }

    /**
     * Resolves the stream, creates the checkpoint table if it is missing and, for a LATEST mapping without a
     * checkpoint, fixes the start at the current end of each shard (so records written from now on are delivered,
     * even across a restart).
     */
    public DynamoDbStreamPoller(StreamMapping mapping, RequestHandler<DynamodbEvent, ?> handler, EsmClients clients,
                                String checkpointTable, Duration functionTimeout) {
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.functionTimeout = Objects.requireNonNull(functionTimeout, "functionTimeout");
        StreamMapping.requireText(checkpointTable, "checkpointTable");
        this.streamArn = resolveStreamArn();
        CheckpointStore.ensureTable(clients.dynamoDb(), checkpointTable, mapping.id());
        this.checkpoints = new CheckpointStore(clients.dynamoDb(), checkpointTable, mapping.id());
        this.loop = new PollLoop("esm-" + mapping.id(), this::pollOnce, IDLE_WAIT, this::abandon);
        if (mapping.startingPosition() == StartingPosition.LATEST) {
            fixLatestPositions();
        }
    }

    @Override
    public String mappingId() {
        return mapping.id();
    }

    /** The stream read, e.g. for a template reader's log. */
    public String streamArn() {
        return streamArn;
    }

    @Override
    public synchronized boolean pollOnce() {
        requireNotAbandoned();
        if (pending.isEmpty()) {
            RecordSet next = fetch();
            if (next == null) {
                return false;
            }
            pending.addFirst(next);
        }
        try {
            step();
        } catch (RuntimeException e) {
            // Whatever is unsettled is read again from the checkpoint: a later record set kept in memory must
            // never be handed over (and settled) ahead of one that failed to settle.
            pending.clear();
            throw e;
        }
        return true;
    }

    @Override
    public int drainUntilIdle(int maxInvocations) {
        return loop.drain(mapping.id(), maxInvocations,
                "is a record retried forever? maxRetryAttempts=" + mapping.maxRetryAttempts());
    }

    @Override
    public void start() {
        requireNotAbandoned();
        loop.start();
    }

    @Override
    public boolean stop(Duration grace) {
        return loop.stop(grace);
    }

    boolean stopRequested() {
        return loop.stopRequested();
    }

    // ---- invocation and settlement ----

    private void step() {
        RecordSet set = pending.peekFirst();
        LocalContext context = new LocalContext(mapping.functionName(), clients.region(), functionTimeout, clock);
        Outcome outcome = invoke(set, context);
        int invocations = set.failedInvocations() + 1;
        String result;
        if (outcome.failedIndex() < 0) {
            settle(set, set.records().size() - 1);
            pending.removeFirst();
            result = "success";
        } else {
            int failedAt = outcome.failedIndex();
            RecordSet failed = set;
            String what = outcome.functionError() != null ? "function error (" + outcome.errorType() + ")" : "";
            if (failedAt > 0) {
                settle(set, failedAt - 1);
                failed = set.from(failedAt);
                what = "batch item failure at " + failedAt + " (" + failedAt + " settled)";
            } else if (outcome.functionError() == null) {
                what = "batch item failure at 0";
            }
            pending.removeFirst();
            boolean canBisect = mapping.bisectOnError() && failed.records().size() > 1 && failedAt == 0;
            if (canBisect) {
                int half = failed.records().size() / 2;
                pending.addFirst(failed.slice(half, failed.records().size()));
                pending.addFirst(failed.slice(0, half));
                result = what + ", bisected into " + half + " + " + (failed.records().size() - half);
            } else if (mapping.maxRetryAttempts() >= 0 && invocations > mapping.maxRetryAttempts()) {
                giveUp(failed, invocations, context.getAwsRequestId());
                result = what + ", retries exhausted after " + invocations + " invocations, "
                        + (mapping.onFailureQueueUrl() != null ? "sent to on-failure destination" : "discarded");
            } else {
                pending.addFirst(failed.withFailedInvocations(invocations));
                result = what + ", will retry (failed invocations " + invocations + ")";
            }
        }
        LOG.log(System.Logger.Level.INFO, () -> "mapping=" + mapping.id() + " function=" + mapping.functionName()
                + " shard=" + set.shardId() + " records=" + set.records().size()
                + " sequence=" + set.first() + ".." + set.last() + " outcome=" + result);
    }

    private Outcome invoke(RecordSet set, LocalContext context) {
        DynamodbEvent event = StreamRecordConverter.event(set.records(), streamArn, clients.region());
        Object response;
        try {
            response = handler.handleRequest(event, context);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable error) {
            synchronized (settleLock) {
                if (abandoned) {
                    throw new PollLoop.Abandoned(mapping.id());
                }
            }
            return new Outcome(0, "Unhandled", error.getClass().getName());
        }
        if (!mapping.reportBatchItemFailures() || !(response instanceof StreamsEventResponse streamsResponse)
                || streamsResponse.getBatchItemFailures() == null || streamsResponse.getBatchItemFailures().isEmpty()) {
            return new Outcome(-1, null, null);
        }
        int lowest = Integer.MAX_VALUE;
        for (StreamsEventResponse.BatchItemFailure failure : streamsResponse.getBatchItemFailures()) {
            int index = failure == null ? -1 : set.indexOf(failure.getItemIdentifier());
            if (index < 0) {
                // Lambda treats a null, empty or unknown item identifier as the failure of the whole batch.
                return new Outcome(0, "Unhandled", "invalid batchItemFailures itemIdentifier");
            }
            lowest = Math.min(lowest, index);
        }
        return new Outcome(lowest, null, null);
    }

    private void giveUp(RecordSet failed, int invocations, String requestId) {
        if (mapping.onFailureQueueUrl() != null) {
            String body = FailureRecords.streamRecordsExhausted(requestId,
                    LocalContext.functionArn(clients.region(), mapping.functionName()), invocations, "Unhandled",
                    new FailureRecords.StreamBatch(failed.shardId(), failed.first(), failed.last(),
                            failed.records().getFirst().dynamodb().approximateCreationDateTime(),
                            failed.records().getLast().dynamodb().approximateCreationDateTime(),
                            failed.records().size(), streamArn),
                    clock.instant());
            synchronized (settleLock) {
                if (abandoned) {
                    throw new PollLoop.Abandoned(mapping.id());
                }
            }
            try {
                clients.sqs().sendMessage(b -> b.queueUrl(mapping.onFailureQueueUrl()).messageBody(body));
            } catch (SdkException e) {
                // Not settled: the record set is read and tried again.
                throw new EventSourceMappingException(mapping.id(), "could not send sequence numbers "
                        + failed.first() + ".." + failed.last() + " to the on-failure destination "
                        + mapping.onFailureQueueUrl(), e);
            }
        }
        settle(failed, failed.records().size() - 1);
    }

    /** Records {@code set.records[0..lastIndex]} as done: the checkpoint moves to {@code records[lastIndex]}. */
    private void settle(RecordSet set, int lastIndex) {
        String sequenceNumber = set.records().get(lastIndex).dynamodb().sequenceNumber();
        synchronized (settleLock) {
            if (abandoned) {
                throw new PollLoop.Abandoned(mapping.id());
            }
            checkpoints.save(set.shardId(), Optional.of(sequenceNumber));
        }
        positions.put(set.shardId(), Optional.of(sequenceNumber));
    }

    private void abandon() {
        synchronized (settleLock) {
            abandoned = true;
        }
    }

    private void requireNotAbandoned() {
        synchronized (settleLock) {
            if (abandoned) {
                throw new IllegalStateException("mapping " + mapping.id() + ": this poller was abandoned by stop");
            }
        }
    }

    // ---- reading the stream ----

    /**
     * The next record set to hand over. With a FilterCriteria, records matching no filter are left out; a read
     * in which none matches settles the shard's position past it without an invocation (as Lambda does).
     */
    private RecordSet fetch() {
        for (Shard shard : shards()) {
            while (true) {
                List<Record> records = read(shard.shardId());
                if (records.isEmpty()) {
                    break;
                }
                List<Record> passing = mapping.filter().passesEverything() ? records
                        : records.stream().filter(r -> mapping.filter().matches(FilterRecords.stream(r))).toList();
                if (!passing.isEmpty()) {
                    return new RecordSet(shard.shardId(), passing, 0);
                }
                settle(new RecordSet(shard.shardId(), records, 0), records.size() - 1);
                LOG.log(System.Logger.Level.DEBUG, () -> "mapping=" + mapping.id() + " shard=" + shard.shardId()
                        + " records=" + records.size() + " outcome=filtered out");
            }
        }
        return null;
    }

    /** Up to batchSize records after the shard's position, gathering for up to the batching window. */
    private List<Record> read(String shardId) {
        Optional<String> position = position(shardId);
        List<Record> out = new ArrayList<>();
        Instant windowEnd = null;
        String iterator = iterator(shardId, position.orElse(null));
        while (iterator != null && out.size() < mapping.batchSize()) {
            GetRecordsResponse response = getRecords(iterator, Math.min(1000, mapping.batchSize() - out.size()));
            out.addAll(response.records());
            iterator = response.nextShardIterator();
            if (response.records().isEmpty()) {
                if (out.isEmpty() || mapping.maxBatchingWindow().isZero()) {
                    break;
                }
                if (windowEnd == null) {
                    windowEnd = clock.instant().plus(mapping.maxBatchingWindow());
                }
                Duration left = Duration.between(clock.instant(), windowEnd);
                if (left.isNegative() || left.isZero() || iterator == null) {
                    break;
                }
                try {
                    Thread.sleep(Math.min(100, Math.max(1, left.toMillis())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                // A fresh iterator rather than one held open (see moto's table swap on cancelled transactions).
                iterator = iterator(shardId, out.getLast().dynamodb().sequenceNumber());
            }
        }
        return out;
    }

    private Optional<String> position(String shardId) {
        return positions.computeIfAbsent(shardId,
                id -> checkpoints.load(id).flatMap(CheckpointStore.Position::sequenceNumber));
    }

    private String iterator(String shardId, String afterSequenceNumber) {
        try {
            return clients.streams().getShardIterator(b -> {
                b.streamArn(streamArn).shardId(shardId);
                if (afterSequenceNumber == null) {
                    b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                } else {
                    b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(afterSequenceNumber);
                }
            }).shardIterator();
        } catch (SdkException e) {
            throw new EventSourceMappingException(mapping.id(), "could not get an iterator for shard " + shardId
                    + (afterSequenceNumber == null ? " at TRIM_HORIZON" : " after " + afterSequenceNumber), e);
        }
    }

    private GetRecordsResponse getRecords(String iterator, int limit) {
        try {
            return clients.streams().getRecords(b -> b.shardIterator(iterator).limit(limit));
        } catch (SdkException e) {
            throw new EventSourceMappingException(mapping.id(), "could not read stream " + streamArn, e);
        }
    }

    private List<Shard> shards() {
        List<Shard> shards = new ArrayList<>();
        String start = null;
        try {
            do {
                String from = start;
                DescribeStreamResponse response = clients.streams().describeStream(b -> b.streamArn(streamArn)
                        .exclusiveStartShardId(from));
                shards.addAll(response.streamDescription().shards());
                start = response.streamDescription().lastEvaluatedShardId();
            } while (start != null);
        } catch (SdkException e) {
            throw new EventSourceMappingException(mapping.id(), "could not describe stream " + streamArn, e);
        }
        return shards;
    }

    private String resolveStreamArn() {
        String table = mapping.table();
        if (table.startsWith("arn:") && table.contains("/stream/")) {
            return table;
        }
        String arn;
        try {
            arn = clients.dynamoDb().describeTable(b -> b.tableName(table)).table().latestStreamArn();
        } catch (SdkException e) {
            throw new EventSourceMappingException(mapping.id(), "could not describe table " + table, e);
        }
        if (arn == null) {
            throw new EventSourceMappingException(mapping.id(), "table " + table + " has no stream");
        }
        return arn;
    }

    private synchronized void fixLatestPositions() {
        for (Shard shard : shards()) {
            String shardId = shard.shardId();
            if (checkpoints.load(shardId).isPresent()) {
                continue;
            }
            String last = null;
            String iterator = iterator(shardId, null);
            while (iterator != null) {
                GetRecordsResponse response = getRecords(iterator, 1000);
                if (response.records().isEmpty()) {
                    break;
                }
                last = response.records().getLast().dynamodb().sequenceNumber();
                iterator = response.nextShardIterator();
            }
            checkpoints.save(shardId, Optional.ofNullable(last));
            positions.put(shardId, Optional.ofNullable(last));
        }
    }

    /** What an invocation came to: failedIndex -1 = all succeeded. */
    private record Outcome(int failedIndex, String functionError, String errorType) {
    }

    /** Consecutive records of one shard, handed over together, with the failed invocations counted so far. */
    private record RecordSet(String shardId, List<Record> records, int failedInvocations) {
        RecordSet {
            records = List.copyOf(records);
        }

        String first() {
            return records.getFirst().dynamodb().sequenceNumber();
        }

        String last() {
            return records.getLast().dynamodb().sequenceNumber();
        }

        int indexOf(String sequenceNumber) {
            if (sequenceNumber == null || sequenceNumber.isEmpty()) {
                return -1;
            }
            for (int i = 0; i < records.size(); i++) {
                if (sequenceNumber.equals(records.get(i).dynamodb().sequenceNumber())) {
                    return i;
                }
            }
            return -1;
        }

        RecordSet from(int index) {
            return new RecordSet(shardId, records.subList(index, records.size()), failedInvocations);
        }

        RecordSet slice(int from, int to) {
            return new RecordSet(shardId, records.subList(from, to), 0);
        }

        RecordSet withFailedInvocations(int count) {
            return new RecordSet(shardId, records, count);
        }
    }
}
