package dev.nosqles.bench;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.aggregate.Snapshotting;
import dev.nosqles.aggregate.Upcasters;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand.ReserveCredit;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Section 8: what encrypting personal data costs (ADR 0008), on the reference application's {@link Customer}
 * (name and e-mail declared personal) against the same aggregate with nothing declared, on the same backend, table
 * and client, interleaved (the order alternates each round) after a warm-up; and how many KMS calls the subject
 * keys' cache lets through per 1,000 commands.
 */
public final class PersonalDataOverhead {
    public static final String APPEND = "append: create a customer (name and e-mail)";
    public static final String LOAD = "load a customer (20 events)";
    public static final double GOAL_RATIO = 1.15;

    private PersonalDataOverhead() {
    }

    /**
     * @param warmup rounds before measuring @param samples measured rounds @param loadEvents events of the loaded
     *        customer @param subjects customers the KMS count spreads its commands over @param commands commands
     *        per phase of the KMS count
     */
    public record Config(int warmup, int samples, int loadEvents, int subjects, int commands) {
        public static Config full() {
            return new Config(50, 300, 20, 50, 1000);
        }

        public static Config quick() {
            return new Config(10, 60, 20, 20, 1000);
        }
    }

    /** One phase of the KMS count: commands over subjects, and the KMS calls they made. */
    public record KmsPhase(String label, int commands, int subjects, int cachePeriods, long kmsCalls) {
        public double callsPerThousandCommands() {
            return kmsCalls * 1000.0 / commands;
        }

        /**
         * The goal: at most one call per process per cache period, whatever the number of subjects (the
         * key-encryption key, ADR 0014; it was one per subject per period under ADR 0008 alone).
         */
        public boolean withinGoal() {
            return kmsCalls <= cachePeriods;
        }
    }

    public record Result(Latencies appendPlain, Latencies appendEncrypted, double appendRatioP50,
                         Latencies loadPlain, Latencies loadEncrypted, double loadRatioP50, Duration cacheTtl,
                         List<KmsPhase> kms) {
        public boolean appendWithinGoal() {
            return appendRatioP50 <= GOAL_RATIO;
        }

        public boolean loadWithinGoal() {
            return loadRatioP50 <= GOAL_RATIO;
        }
    }

    /** Counts the requests a KMS client sends (retries included: each is a call KMS bills). */
    static final class KmsCounter implements ExecutionInterceptor {
        final AtomicLong calls = new AtomicLong();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            calls.incrementAndGet();
        }
    }

    /** A clock the count moves past the cache period. */
    static final class SteppedClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    /** Section 8 alone (make bench runs it with the others): {@code [--quick]}; prints its figures. */
    public static void main(String[] args) throws Exception {
        Config config = args.length > 0 && args[0].equals("--quick") ? Config.quick() : Config.full();
        try (dev.nosqles.localaws.LocalAws aws = dev.nosqles.localaws.LocalAws.start(); BenchEnv env = new BenchEnv(aws)) {
            Result r = run(env, config);
            System.out.println("backend: " + aws.description());
            for (Latencies l : List.of(r.appendPlain(), r.appendEncrypted(), r.loadPlain(), r.loadEncrypted())) {
                System.out.printf(java.util.Locale.ROOT, "%s, %s: p50 %.2f ms, p99 %.2f ms (%d samples)%n",
                        l.operation(), l.side(), l.p50Ms(), l.p99Ms(), l.samples());
            }
            System.out.printf(java.util.Locale.ROOT, "append p50 ratio %.3f, load p50 ratio %.3f (goal <= %.2f)%n",
                    r.appendRatioP50(), r.loadRatioP50(), GOAL_RATIO);
            for (KmsPhase k : r.kms()) {
                System.out.printf(java.util.Locale.ROOT, "%s: %d commands, %d subjects, %d KMS calls (%.1f per 1,000)%n",
                        k.label(), k.commands(), k.subjects(), k.kmsCalls(), k.callsPerThousandCommands());
            }
        }
    }

    public static Result run(BenchEnv env, Config config) {
        KmsCounter counter = new KmsCounter();
        try (KmsClient kms = env.aws().configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter)).build()) {
            DynamoDbClient client = env.plain();
            String keyId = kms.createKey(b -> b.description("bench personal data")).keyMetadata().keyId();
            String keysTable = "bench-subject-keys-" + UUID.randomUUID().toString().substring(0, 6);
            DynamoDbKmsSubjectKeys.createTable(client, keysTable);
            String table = env.newEventsTable("personal-data");
            EventStore store = DynamoDbEventStore.builder().client(client).tableName(table).build();

            DynamoDbKmsSubjectKeys keys = keys(client, keysTable, kms, keyId, Clock.systemUTC());
            AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> encrypted =
                    Application.customers(store, SnapshotStore.none(), Clock.systemUTC(), keys).build();
            AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> plain =
                    AggregateRepository.builder(new PlainCustomer()).eventStore(store).build();

            // append: each round creates a customer on both sides; the encrypted side's key exists and is cached
            // (its first use, a conditional PutItem of the key sealed by the key-encryption key, is not timed here)
            int rounds = config.warmup() + config.samples();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                String id = "enc-" + i + "-" + UUID.randomUUID();
                keys.encrypt(id, "warm".getBytes(StandardCharsets.UTF_8), "bench".getBytes(StandardCharsets.UTF_8));
                ids.add(id);
            }
            long[] appendPlain = new long[config.samples()];
            long[] appendEncrypted = new long[config.samples()];
            for (int i = 0; i < rounds; i++) {
                CreateCustomer create = new CreateCustomer("Customer Name " + i, new BigDecimal("1000"), "bench",
                        "customer" + i + "@example.org");
                String encryptedId = ids.get(i);
                String plainId = "plain-" + i + "-" + UUID.randomUUID();
                timeRound(i, config.warmup(), () -> encrypted.create(encryptedId, create),
                        () -> plain.create(plainId, create), appendPlain, appendEncrypted);
            }

            // load: one customer of loadEvents events on each side
            String loadEncrypted = "load-enc-" + UUID.randomUUID();
            String loadPlain = "load-plain-" + UUID.randomUUID();
            CreateCustomer create = new CreateCustomer("Loaded Customer", new BigDecimal("1000000"), "bench",
                    "loaded@example.org");
            encrypted.create(loadEncrypted, create);
            plain.create(loadPlain, create);
            for (int i = 2; i <= config.loadEvents(); i++) {
                encrypted.update(loadEncrypted, new ReserveCredit("o" + i, BigDecimal.ONE));
                plain.update(loadPlain, new ReserveCredit("o" + i, BigDecimal.ONE));
            }
            long[] getPlain = new long[config.samples()];
            long[] getEncrypted = new long[config.samples()];
            for (int i = 0; i < rounds; i++) {
                timeRound(i, config.warmup(), () -> encrypted.get(loadEncrypted), () -> plain.get(loadPlain),
                        getPlain, getEncrypted);
            }
            Latencies ap = Latencies.of(APPEND, "without encryption", appendPlain);
            Latencies ae = Latencies.of(APPEND, "with encryption", appendEncrypted);
            Latencies lp = Latencies.of(LOAD, "without encryption", getPlain);
            Latencies le = Latencies.of(LOAD, "with encryption", getEncrypted);

            Duration ttl = Duration.ofMinutes(5);
            List<KmsPhase> phases = kmsCalls(client, store, keysTable, kms, keyId, counter, config, ttl);
            return new Result(ap, ae, ae.p50Ms() / ap.p50Ms(), lp, le, le.p50Ms() / lp.p50Ms(), ttl, phases);
        }
    }

    /**
     * Round {@code round} of a latency comparison: times both sides, the encrypted one first in even rounds and the
     * plain one first in odd rounds (so that neither always runs on a warm connection); past the warm-up rounds,
     * records each side's nanoseconds at {@code round - warmup}.
     */
    private static void timeRound(int round, int warmup, Runnable encrypted, Runnable plain, long[] plainNanos,
                                  long[] encryptedNanos) {
        boolean encryptedFirst = round % 2 == 0;
        long t0 = System.nanoTime();
        (encryptedFirst ? encrypted : plain).run();
        long t1 = System.nanoTime();
        (encryptedFirst ? plain : encrypted).run();
        long t2 = System.nanoTime();
        if (round >= warmup) {
            plainNanos[round - warmup] = encryptedFirst ? t2 - t1 : t1 - t0;
            encryptedNanos[round - warmup] = encryptedFirst ? t1 - t0 : t2 - t1;
        }
    }

    /**
     * Three phases of {@code commands} commands over {@code subjects} customers: (1) a process creates them and
     * works on them (each key generated once, then cached); (2) a new process (empty cache) works on them within
     * one cache period; (3) the same process once the period has passed.
     */
    static List<KmsPhase> kmsCalls(DynamoDbClient client, EventStore store, String keysTable, KmsClient kms,
                                   String keyId, KmsCounter counter, Config config, Duration ttl) {
        int perSubject = config.commands() / config.subjects();
        List<KmsPhase> phases = new ArrayList<>();
        SteppedClock clock = new SteppedClock();
        var first = Application.customers(store, SnapshotStore.none(), Clock.systemUTC(),
                keys(client, keysTable, kms, keyId, clock)).build();
        List<String> customers = new ArrayList<>();
        long before = counter.calls.get();
        int commands = 0;
        for (int s = 0; s < config.subjects(); s++) {
            String id = "kms-" + s + "-" + UUID.randomUUID();
            customers.add(id);
            first.create(id, new CreateCustomer("Counted Customer " + s, new BigDecimal("1000000"), "bench",
                    "counted" + s + "@example.org"));
            commands++;
            for (int c = 1; c < perSubject; c++) {
                first.update(id, new ReserveCredit("o" + c, BigDecimal.ONE));
                commands++;
            }
        }
        phases.add(new KmsPhase("one process creates " + config.subjects() + " customers and works on them",
                commands, config.subjects(), 1, counter.calls.get() - before));

        var second = Application.customers(store, SnapshotStore.none(), Clock.systemUTC(),
                keys(client, keysTable, kms, keyId, clock)).build();
        phases.add(work(second, customers, perSubject, counter, "a new process (empty cache), one cache period",
                1, perSubject));
        clock.advance(ttl.plusSeconds(1));
        phases.add(work(second, customers, perSubject, counter, "the same process after its cache period", 1,
                2 * perSubject));
        return phases;
    }

    private static KmsPhase work(AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> repo,
                                 List<String> customers, int perSubject, KmsCounter counter, String label,
                                 int periods, int orderOffset) {
        long before = counter.calls.get();
        int commands = 0;
        for (String id : customers) {
            for (int c = 0; c < perSubject; c++) {
                // reserve and release alternately: the stream grows, the credit stays
                repo.update(id, c % 2 == 0 ? new ReleaseCredit("o" + (c + 1))
                        : new ReserveCredit("p" + (orderOffset + c), BigDecimal.ONE));
                commands++;
            }
        }
        return new KmsPhase(label, commands, customers.size(), periods, counter.calls.get() - before);
    }

    private static DynamoDbKmsSubjectKeys keys(DynamoDbClient client, String table, KmsClient kms, String keyId,
                                               Clock clock) {
        return DynamoDbKmsSubjectKeys.builder().dynamoDb(client).tableName(table).kms(kms).kmsKeyId(keyId)
                .cacheTtl(Duration.ofMinutes(5)).clock(clock).build();
    }

    public static List<Check> checks(Result r) {
        List<Check> checks = new ArrayList<>();
        for (KmsPhase phase : r.kms()) {
            checks.add(Check.of("personal data: at most one KMS call per process per cache period (" + phase.label()
                            + ")", phase.withinGoal(), phase.kmsCalls() + " KMS calls for " + phase.commands()
                            + " commands over " + phase.subjects() + " subjects in " + phase.cachePeriods()
                            + " cache period(s)"));
        }
        return checks;
    }

    /** The reference Customer with nothing declared personal: the baseline without encryption. */
    static final class PlainCustomer implements Aggregate<CustomerState, CustomerCommand, CustomerEvent> {
        private final Customer customer = new Customer();
        private final EventTypes<CustomerEvent> types;

        @SuppressWarnings({"unchecked", "rawtypes"})
        PlainCustomer() {
            EventTypes.Builder<CustomerEvent> b = EventTypes.builder();
            for (EventTypes.EventType<CustomerEvent> t : customer.eventTypes().all()) {
                b.add(t.name(), t.schemaVersion(), (Class) t.javaClass());
            }
            types = b.build();
        }

        @Override
        public String type() {
            return customer.type();
        }

        @Override
        public CustomerState initialState() {
            return customer.initialState();
        }

        @Override
        public List<? extends CustomerEvent> process(CustomerState state, CustomerCommand command) {
            return customer.process(state, command);
        }

        @Override
        public CustomerState apply(CustomerState state, CustomerEvent event) {
            return customer.apply(state, event);
        }

        @Override
        public EventTypes<CustomerEvent> eventTypes() {
            return types;
        }

        @Override
        public Upcasters upcasters() {
            return customer.upcasters();
        }

        @Override
        public Snapshotting<CustomerState> snapshotting() {
            return customer.snapshotting();
        }
    }
}
