package dev.nosqles.bench;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.RetryPolicy;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Section 4: writers updating one aggregate or one aggregate each through {@link AggregateRepository} (default
 * retry policy, a snapshot every 10 events) for a bounded time. Every deposit carries a unique amount; after the
 * run the final state must hold exactly the deposits the writers were told succeeded: no lost update.
 *
 * <p>Reads per conflict: the Query and GetItem requests a command makes after its first PutItem on the events
 * table, that is the reads its conflicts cost (the first load is before it, a snapshot save after the success is a
 * PutItem on another table), counted per writer thread by an interceptor, divided by the conflicts.
 */
public final class Contention {
    /** One aggregate, the writers threads of one process sharing one repository: they take turns (ADR 0018). */
    public static final String ONE = "one aggregate, one process";
    /** As {@link #ONE}, the repository with a state cache: a command is its write alone. */
    public static final String ONE_CACHED = "one aggregate, one process, state cache";
    /** One aggregate, a repository per writer: writers in separate processes, kept apart by the conditional write. */
    public static final String APART = "one aggregate, a process per writer";
    /**
     * One aggregate, the writers sending its commands to an SQS FIFO queue grouped by aggregate id, one consumer (a
     * repository with a state cache) taking them in order: the single-writer path for an aggregate that many
     * processes write (concurrency.md). Commands/s = commands committed per second from the first send until the
     * queue is drained.
     */
    public static final String FIFO = "one aggregate, a FIFO queue to one consumer, state cache";
    public static final String SEPARATE = "separate aggregates";
    /**
     * {@link #APART} on the in-memory stores behind a fixed latency per request, requests in parallel: a model of
     * DynamoDB, where a failed write costs its writer a round trip but takes no turn from the others (on moto,
     * which serialises every request, it does). Not a measurement of DynamoDB.
     */
    public static final String MODELLED = "one aggregate, a process per writer, latency model";
    /** The latency per request of the model (DynamoDB's single-digit milliseconds, plus the network). */
    public static final long MODEL_LATENCY_MS = 10;

    private Contention() {
    }

    public record Config(List<Integer> writers, double secondsPerScenario, int snapshotEvery, RetryPolicy retry) {
        public static Config full() {
            return new Config(List.of(1, 4, 16), 4.0, 10, RetryPolicy.defaults());
        }
    }

    /**
     * @param commands commands that succeeded
     * @param conflicts appends rejected because another writer got there first
     * @param retries attempts repeated after a conflict
     * @param gaveUp commands that still conflicted after the retry policy's last attempt (reported to the caller)
     * @param errors commands that failed otherwise
     * @param lostUpdates successful commands missing from the final state (must be 0)
     */
    public record Scenario(String mode, int writers, double seconds, long commands, double commandsPerSecond,
                           long conflicts, long retries, long gaveUp, long errors, long lostUpdates,
                           boolean finalStateMatches, long readsAfterConflicts, long requests) {
        /** Query and GetItem requests per conflict (0 when there was no conflict). */
        public double readsPerConflict() {
            return conflicts == 0 ? 0 : (double) readsAfterConflicts / conflicts;
        }

        /** DynamoDB requests of the writers per acknowledged command. */
        public double requestsPerCommand() {
            return commands == 0 ? 0 : (double) requests / commands;
        }
    }

    private record WriterTally(long commands, long amountSum, long conflicts, long retries, long gaveUp, long errors,
                               long readsAfterConflicts, long requests) {
    }

    /** Per writer thread: its requests, and the reads after the command's first append. */
    private abstract static class Counter {
        /** Per thread: [0] 1 once the command tried to append, [1] reads after that, [2] requests. */
        private final ThreadLocal<long[]> tally = ThreadLocal.withInitial(() -> new long[3]);

        /** A new command: its reads count once it has tried to append. */
        final void commandStarts() {
            tally.get()[0] = 0;
        }

        final long reads() {
            return tally.get()[1];
        }

        final long requests() {
            return tally.get()[2];
        }

        /** One request of this thread: an append of events, a read, or neither (a snapshot write). */
        final void count(boolean read, boolean append) {
            long[] t = tally.get();
            t[2]++;
            if (append) {
                t[0] = 1;
            } else if (read && t[0] == 1) {
                t[1]++;
            }
        }
    }

    /** Counts the requests of the DynamoDB client. */
    private static final class ReadsAfterConflict extends Counter implements ExecutionInterceptor {
        private final String eventsTable;

        ReadsAfterConflict(String eventsTable) {
            this.eventsTable = eventsTable;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            count(context.request() instanceof QueryRequest || context.request() instanceof GetItemRequest,
                    context.request() instanceof PutItemRequest put && eventsTable.equals(put.tableName()));
        }
    }

    public static List<Scenario> run(BenchEnv env, Config config) throws InterruptedException {
        List<Scenario> out = new ArrayList<>();
        for (String mode : List.of(ONE, ONE_CACHED, APART, FIFO, SEPARATE, MODELLED)) {
            for (int writers : config.writers()) {
                out.add(mode.equals(MODELLED) ? modelled(config, writers)
                        : mode.equals(FIFO) ? fifo(env, config, writers) : scenario(env, config, mode, writers));
            }
        }
        return out;
    }

    /** The in-memory stores, each request taking {@link #MODEL_LATENCY_MS} (half there, half back). */
    private static final class LatencyModel extends Counter implements EventStore, SnapshotStore {
        private final InMemoryEventStore events = new InMemoryEventStore();
        private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();

        private <T> T request(boolean read, boolean append, java.util.function.Supplier<T> call) {
            count(read, append);
            java.util.concurrent.locks.LockSupport.parkNanos(MODEL_LATENCY_MS * 500_000L);
            try {
                return call.get();
            } finally {
                java.util.concurrent.locks.LockSupport.parkNanos(MODEL_LATENCY_MS * 500_000L);
            }
        }

        @Override
        public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> newEvents,
                                   EventMetadata metadata) {
            return request(false, true, () -> events.append(streamId, expected, newEvents, metadata));
        }

        @Override
        public StreamSlice read(StreamId streamId, ReadRequest request) {
            return request(true, false, () -> events.read(streamId, request));
        }

        @Override
        public java.util.Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId,
                                                                    long atOrBelowVersion, java.time.Instant since) {
            return request(true, false, () -> events.findMessageCommit(streamId, messageId, atOrBelowVersion, since));
        }

        @Override
        public java.util.Optional<Snapshot> load(StreamId streamId) {
            return request(true, false, () -> snapshots.load(streamId));
        }

        @Override
        public void save(Snapshot snapshot) {
            request(false, false, () -> {
                snapshots.save(snapshot);
                return null;
            });
        }

        @Override
        public void delete(StreamId streamId) {
            request(false, false, () -> {
                snapshots.delete(streamId);
                return null;
            });
        }
    }

    private static Scenario modelled(Config config, int writers) throws InterruptedException {
        LatencyModel model = new LatencyModel();
        return drive(config, MODELLED, writers, () -> AggregateRepository
                .builder(new Ledger(config.snapshotEvery())).eventStore(model).snapshotStore(model)
                .retry(config.retry()).build(), model);
    }

    private static Scenario scenario(BenchEnv env, Config config, String mode, int writers)
            throws InterruptedException {
        String eventsTable = env.newEventsTable("contention");
        ReadsAfterConflict counter = new ReadsAfterConflict(eventsTable);
        DynamoDbClient client = env.aws().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter))
                .build();
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(client).tableName(eventsTable).build();
        DynamoDbSnapshotStore snapshots = DynamoDbSnapshotStore.builder().client(client)
                .tableName(env.newKeyedTable("contention-snapshots")).build();
        AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> shared = AggregateRepository
                .builder(new Ledger(config.snapshotEvery())).eventStore(store).snapshotStore(snapshots)
                .retry(config.retry()).stateCache(mode.equals(ONE_CACHED) ? 1_000 : 0).build();
        try {
            return drive(config, mode, writers, mode.equals(APART) ? () -> AggregateRepository
                    .builder(new Ledger(config.snapshotEvery())).eventStore(store).snapshotStore(snapshots)
                    .retry(config.retry()).build() : () -> shared, counter);
        } finally {
            client.close();
        }
    }

    /**
     * @param process the repository of a writer's process: the same one for every writer (threads of one process)
     *                or a new one each (a process per writer)
     */
    private static Scenario drive(Config config, String mode, int writers,
                                  java.util.function.Supplier<AggregateRepository<Ledger.State, Ledger.Command,
                                          Ledger.Event>> process,
                                  Counter counter) throws InterruptedException {
        AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> repo = process.get();
        boolean shared = !mode.equals(SEPARATE);
        List<String> ids = new ArrayList<>();
        for (int w = 0; w < (shared ? 1 : writers); w++) {
            String id = shared ? "hot" : "w" + w;
            repo.create(id, new Ledger.Open("writer"));
            ids.add(id);
        }

        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        long durationNanos = (long) (config.secondsPerScenario() * 1e9);
        List<Future<WriterTally>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String id = ids.get(shared ? 0 : w);
            long writer = w;
            AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> own = w == 0 ? repo : process.get();
            futures.add(pool.submit(() -> {
                start.await();
                long deadline = System.nanoTime() + durationNanos;
                long commands = 0;
                long sum = 0;
                long conflicts = 0;
                long retries = 0;
                long gaveUp = 0;
                long errors = 0;
                long reads0 = counter.reads();
                long requests0 = counter.requests();
                for (long i = 1; System.nanoTime() < deadline; i++) {
                    long amount = writer * 1_000_000L + i; // unique: a lost update shows in the sum
                    counter.commandStarts();
                    try {
                        CommandResult<Ledger.State, Ledger.Event> result = own.update(id,
                                new Ledger.Deposit(amount, "c"));
                        commands++;
                        sum += amount;
                        conflicts += result.attempts() - 1;
                        retries += result.attempts() - 1;
                    } catch (ConcurrencyConflictException exhausted) {
                        gaveUp++;
                        conflicts += exhausted.attempts();
                        retries += exhausted.attempts() - 1;
                    } catch (RuntimeException e) {
                        errors++;
                    }
                }
                return new WriterTally(commands, sum, conflicts, retries, gaveUp, errors, counter.reads() - reads0,
                        counter.requests() - requests0);
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        List<WriterTally> tallies = new ArrayList<>();
        for (Future<WriterTally> f : futures) {
            try {
                tallies.add(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a writer failed", e.getCause());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);

        // compare the final state of each aggregate with what its writers were told succeeded
        long lost = 0;
        boolean matches = true;
        for (int a = 0; a < ids.size(); a++) {
            long sentCommands = 0;
            long sentSum = 0;
            for (int w = 0; w < writers; w++) {
                if (shared || w == a) {
                    sentCommands += tallies.get(w).commands();
                    sentSum += tallies.get(w).amountSum();
                }
            }
            AggregateState<Ledger.State> state = repo.get(ids.get(a));
            lost += Math.max(0, sentCommands - state.state().entries());
            matches &= state.state().entries() == sentCommands && state.state().balance() == sentSum
                    && state.version() == 1 + sentCommands;
        }
        long commands = tallies.stream().mapToLong(WriterTally::commands).sum();
        Scenario scenario = new Scenario(mode, writers, seconds, commands, commands / seconds,
                tallies.stream().mapToLong(WriterTally::conflicts).sum(),
                tallies.stream().mapToLong(WriterTally::retries).sum(),
                tallies.stream().mapToLong(WriterTally::gaveUp).sum(),
                tallies.stream().mapToLong(WriterTally::errors).sum(), lost, matches,
                tallies.stream().mapToLong(WriterTally::readsAfterConflicts).sum(),
                tallies.stream().mapToLong(WriterTally::requests).sum());
        return scenario;
    }

    /** Counts every request of the clients it is added to. */
    private static final class AllRequests implements ExecutionInterceptor {
        final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            count.incrementAndGet();
        }
    }

    /** The Ledger's commands on a queue: the contract of {@code CommandQueue} and {@code CommandQueueHandler}. */
    static final dev.nosqles.saga.Channel<Ledger.Command> LEDGER_COMMANDS = dev.nosqles.saga.Channel
            .builder("ledger-commands", Ledger.Command.class).command("Deposit", Ledger.Deposit.class).build();

    /** Counts the repository's commands handled, duplicates dropped and conflicts. */
    private static final class Counts implements dev.nosqles.metrics.Metrics {
        final java.util.concurrent.ConcurrentHashMap<dev.nosqles.metrics.Metric, java.util.concurrent.atomic.AtomicLong>
                counts = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void add(dev.nosqles.metrics.Metric metric, long value) {
            counts.computeIfAbsent(metric, m -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(value);
        }

        long get(dev.nosqles.metrics.Metric metric) {
            java.util.concurrent.atomic.AtomicLong n = counts.get(metric);
            return n == null ? 0 : n.get();
        }
    }

    /**
     * {@link #FIFO}: the writers send deposits through {@code CommandQueue} (message group = the aggregate id,
     * deduplication id = the deposit's message id) for the scenario's time; one consumer, as an event source mapping
     * would, receives up to 10 at a time, hands them to {@code CommandQueueHandler} (its repository with a state
     * cache) and deletes those not failed, until the queue is drained. Every request, SQS's included, is counted.
     */
    private static Scenario fifo(BenchEnv env, Config config, int writers) throws InterruptedException {
        AllRequests requests = new AllRequests();
        DynamoDbClient client = env.aws().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(requests)).build();
        software.amazon.awssdk.services.sqs.SqsClient sqs = env.aws()
                .configure(software.amazon.awssdk.services.sqs.SqsClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(requests)).build();
        try {
            DynamoDbEventStore store = DynamoDbEventStore.builder().client(client)
                    .tableName(env.newEventsTable("contention")).build();
            DynamoDbSnapshotStore snapshots = DynamoDbSnapshotStore.builder().client(client)
                    .tableName(env.newKeyedTable("contention-snapshots")).build();
            Counts counts = new Counts();
            AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> repository = AggregateRepository
                    .builder(new Ledger(config.snapshotEvery())).eventStore(store).snapshotStore(snapshots)
                    .retry(config.retry()).stateCache(1_000).metrics(counts).build();
            repository.create("hot", new Ledger.Open("writer"));
            long handled0 = counts.get(dev.nosqles.metrics.Metric.COMMANDS_HANDLED);
            var consumer = new dev.nosqles.lambda.commands.CommandQueueHandler<>(repository, LEDGER_COMMANDS,
                    dev.nosqles.lambda.Telemetry.fromEnvironment(name -> null));
            String queueUrl = sqs.createQueue(q -> q.queueName("contention-"
                            + java.util.UUID.randomUUID().toString().substring(0, 8) + ".fifo")
                    .attributes(java.util.Map.of(
                            software.amazon.awssdk.services.sqs.model.QueueAttributeName.FIFO_QUEUE, "true")))
                    .queueUrl();
            var queue = dev.nosqles.lambda.commands.CommandQueue.builder(LEDGER_COMMANDS).client(sqs)
                    .queueUrl(queueUrl).build();
            long requests0 = requests.count.get();

            ExecutorService pool = Executors.newFixedThreadPool(writers);
            CountDownLatch start = new CountDownLatch(1);
            long durationNanos = (long) (config.secondsPerScenario() * 1e9);
            List<Future<long[]>> sent = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                long writer = w;
                sent.add(pool.submit(() -> {
                    start.await();
                    long deadline = System.nanoTime() + durationNanos;
                    long count = 0;
                    long sum = 0;
                    for (long i = 1; System.nanoTime() < deadline; i++) {
                        long amount = writer * 1_000_000L + i;
                        queue.send("hot", new Ledger.Deposit(amount, "c"),
                                EventMetadata.empty().withMessageId("deposit-" + amount));
                        count++;
                        sum += amount;
                    }
                    return new long[] {count, sum};
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            long failed = 0;
            long lastHandled = t0;
            boolean sendersDone = false;
            while (true) {
                List<software.amazon.awssdk.services.sqs.model.Message> batch = sqs.receiveMessage(r -> r
                        .queueUrl(queueUrl).maxNumberOfMessages(10).messageSystemAttributeNames(
                                software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID))
                        .messages();
                if (batch.isEmpty()) {
                    if (sendersDone) {
                        break;
                    }
                    sendersDone = sent.stream().allMatch(Future::isDone);
                    // as a poller between empty receives (a long poll would hold the emulator's one lock)
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                    continue;
                }
                List<com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage> records = new ArrayList<>();
                for (software.amazon.awssdk.services.sqs.model.Message m : batch) {
                    var record = new com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage();
                    record.setMessageId(m.messageId());
                    record.setBody(m.body());
                    record.setEventSourceArn("arn:aws:sqs:local:000000000000:contention.fifo");
                    record.setAttributes(java.util.Map.of("MessageGroupId", m.attributes().get(
                            software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID)));
                    records.add(record);
                }
                var event = new com.amazonaws.services.lambda.runtime.events.SQSEvent();
                event.setRecords(records);
                java.util.Set<String> failures = new java.util.HashSet<>();
                consumer.handle(event).getBatchItemFailures().forEach(f -> failures.add(f.getItemIdentifier()));
                failed += failures.size();
                List<software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry> done = new ArrayList<>();
                for (software.amazon.awssdk.services.sqs.model.Message m : batch) {
                    if (!failures.contains(m.messageId())) {
                        done.add(software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry.builder()
                                .id(Integer.toString(done.size())).receiptHandle(m.receiptHandle()).build());
                    }
                }
                if (!done.isEmpty()) {
                    sqs.deleteMessageBatch(d -> d.queueUrl(queueUrl).entries(done));
                }
                lastHandled = System.nanoTime();
                if (failed > 100) {
                    break; // failed messages come back after the visibility timeout: the check below reports them
                }
            }
            double seconds = (lastHandled - t0) / 1e9;
            long sentCommands = 0;
            long sentSum = 0;
            for (Future<long[]> f : sent) {
                try {
                    long[] t = f.get();
                    sentCommands += t[0];
                    sentSum += t[1];
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a writer failed", e.getCause());
                }
            }
            pool.shutdown();
            pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            long consumerRequests = requests.count.get() - requests0;
            long handled = counts.get(dev.nosqles.metrics.Metric.COMMANDS_HANDLED) - handled0;
            long conflicts = counts.get(dev.nosqles.metrics.Metric.CONCURRENCY_CONFLICTS);
            AggregateState<Ledger.State> state = repository.get("hot");
            boolean matches = state.state().entries() == sentCommands && state.state().balance() == sentSum
                    && state.version() == 1 + sentCommands;
            return new Scenario(FIFO, writers, seconds, handled, handled / seconds, conflicts, conflicts, 0, failed,
                    Math.max(0, sentCommands - state.state().entries()), matches, 0, consumerRequests);
        } finally {
            sqs.close();
            client.close();
        }
    }

    public static List<Check> checks(List<Scenario> scenarios) {
        List<Check> checks = new ArrayList<>();
        for (Scenario s : scenarios) {
            checks.add(Check.of("no lost update: " + s.writers() + " writers, " + s.mode(),
                    s.lostUpdates() == 0 && s.finalStateMatches(),
                    s.commands() + " commands acknowledged, " + s.lostUpdates() + " missing, final state "
                            + (s.finalStateMatches() ? "matches" : "DIFFERS")));
        }
        return checks;
    }
}
