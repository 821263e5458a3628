package dev.nosqles.runtime.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.localaws.faults.FaultCounts;
import dev.nosqles.localaws.faults.FaultProxy;
import dev.nosqles.localaws.faults.FaultRule;
import dev.nosqles.runtime.LocalRuntime;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The chaos specification: the reference application of template.yaml on the local runtime, behind a
 * {@link FaultProxy} that loses responses of successful writes, throttles, answers 5xx and delays calls to
 * DynamoDB, Streams, SQS and SNS; clients that retry as real clients do, with and without an Idempotency-Key;
 * random cancels; saga commands driven into their DLQs and redriven after their sagas compensated; the runtime
 * killed mid-saga and restarted on the same AWS. Then the promises must hold:
 * <ol>
 *   <li>every order ends APPROVED, REJECTED or CANCELLED, within a bounded wait, before any DLQ redrive;</li>
 *   <li>each customer's credit is conserved exactly: available = limit - the totals of its approved orders, and
 *       it holds a reservation for exactly those (pending, rejected and cancelled orders hold nothing);</li>
 *   <li>no event is doubled: no two commits of a stream carry one message id, and every event id is unique;</li>
 *   <li>one saga per order;</li>
 *   <li>every order and customer the system created was answered 201 to its client, with or without a key;</li>
 *   <li>every cancel that happened was answered 200, and every 200 cancel happened;</li>
 *   <li>every domain event of an Order or Customer is published once to the events topic.</li>
 * </ol>
 * The run is determined by a seed (printed); see src/site/markdown/fault-injection.md for replaying one and for
 * switching fault families on and off ({@code make chaos SEED=... FAULTS=...}).
 */
class ChaosSpecificationTest {
    private static final Set<OrderStatus> FINAL = Set.of(OrderStatus.APPROVED, OrderStatus.REJECTED,
            OrderStatus.CANCELLED);
    private static final List<String> LIMITS = List.of("100.00", "150.00", "200.00");

    @TempDir
    Path dir;

    private final ChaosConfig config = ChaosConfig.fromSystemProperties();
    private final Ledger ledger = new Ledger();
    private final Map<String, Integer> actions = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final List<String> violations = new ArrayList<>();

    @Test
    void under_aws_faults_redeliveries_a_kill_and_a_dlq_redrive_every_order_ends_credit_is_conserved_and_nothing_happens_twice()
            throws Exception {
        long started = System.nanoTime();
        System.out.println("chaos: seed " + config.seed() + ", " + config.customers() + " customers, " + config.orders()
                + " orders, " + config.clients() + " clients, faults " + config.faultsArgument()
                + (config.scale() == 1 ? "" : ", scale " + config.scale()));
        String stack = "chaos-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        try (FaultProxy proxy = FaultProxy.start(LocalAws.shared(), config.seed());
             ChaosRuntime runtime = new ChaosRuntime(chaosTemplate(), stack, proxy);
             AppInspector inspector = new AppInspector(LocalAws.shared(), runtime.app().resources())) {
            inspector.subscribeToEventsTopic();
            List<FaultRule> rules = ChaosFaults.rules(config, stack + "-esm-checkpoints");
            proxy.rules(rules);

            // when: clients work while AWS fails, commands die in DLQs, the runtime is killed and restarted
            List<String> customers = createCustomers(runtime);
            placeOrders(runtime, proxy, inspector, rules, customers);
            phase("clients done", started);

            // then: every saga ends, under the same faults, before any redrive
            // bounds that grow with the load: the local runtime runs one invocation at a time per mapping
            int extra = Math.max(0, config.orders() - 36);
            awaitEveryOrderFinal(inspector, Duration.ofSeconds(config.settleSeconds()), "before the DLQ redrive");
            phase("sagas ended", started);
            // an operator redrives the dead letters after the sagas compensated
            actions.merge("redriven CustomerCommandsDlq", inspector.redrive("CustomerCommandsDlq", "CustomerCommandsQueue"), Integer::sum);
            actions.merge("redriven OrderCommandsDlq", inspector.redrive("OrderCommandsDlq", "OrderCommandsQueue"), Integer::sum);
            actions.merge("redriven SagaRepliesDlq", inspector.redrive("SagaRepliesDlq", "SagaRepliesQueue"), Integer::sum);
            awaitQuiet(inspector, Duration.ofSeconds(45 + extra / 2), "after the redrive");
            proxy.rules(List.of());
            awaitQuiet(inspector, Duration.ofSeconds(30 + extra / 2), "without faults");
            phase("redriven and quiet", started);
            actions.put("stream batches given up (StreamFailuresQueue)", inspector.depth("StreamFailuresQueue"));

            checkInvariants(inspector);
            checkTheChaosHappened(proxy.counts(), stack);
            phase("invariants checked", started);

            FaultCounts counts = proxy.counts();
            System.out.println("chaos: seed " + config.seed() + ", faults injected:\n" + counts.describe());
            System.out.println("chaos: actions " + actions + ", client requests " + clientAttempts() + ", runtime log lines "
                    + runtime.logLines() + ", " + (System.nanoTime() - started) / 1_000_000_000 + " s");
            violations.forEach(v -> System.out.println("chaos: BROKEN " + v));
            assertThat(counts.total()).as("faults injected").isGreaterThan(config.faults().isEmpty() ? -1 : 0);
            assertThat(violations).as("""
                    Chaos run with seed %d broke %d invariant(s). Replay it with
                      %s
                    (or: mvn -pl infra/runtime -am test -Dtest=ChaosSpecificationTest -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.seed=%d -Dchaos.customers=%d -Dchaos.orders=%d -Dchaos.clients=%d -Dchaos.faults=%s);
                    switch fault families off one by one with FAULTS=-<family> to find the fault that breaks it.
                    Faults injected: %s""", config.seed(), violations.size(), config.replayCommand(), config.seed(),
                    config.customers(), config.orders(), config.clients(), config.faultsArgument(),
                    counts.describe().replace('\n', ';')).isEmpty();
        }
    }

    private static void phase(String what, long started) {
        System.out.println("chaos: " + what + " after " + (System.nanoTime() - started) / 1_000_000_000 + " s");
    }

    // ---- the workload ----

    /** template.yaml with a 3 s visibility timeout, so that redeliveries come within the run. */
    private Path chaosTemplate() throws IOException {
        String yaml = Files.readString(LocalRuntime.findTemplate());
        String changed = yaml.replace("VisibilityTimeout: 90", "VisibilityTimeout: 3");
        assertThat(changed).as("template.yaml's queues have a VisibilityTimeout of 90").isNotEqualTo(yaml);
        return Files.writeString(dir.resolve("template.yaml"), changed);
    }

    private List<String> createCustomers(ChaosRuntime runtime) {
        SplittableRandom random = new SplittableRandom(config.seed());
        RetryingClient client = new RetryingClient(runtime.baseUri(), random.split());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < config.customers(); i++) {
            String limit = LIMITS.get(random.nextInt(LIMITS.size()));
            String key = random.nextBoolean() ? "customer-" + config.seed() + "-" + i : null;
            RetryingClient.Outcome outcome = client.post("/customers",
                    "{\"name\":\"Chaos " + i + "\",\"creditLimit\":\"" + limit + "\"}", key);
            String id = outcome.status() == 201 ? outcome.body().get("customerId").asText() : null;
            ledger.customerCreates.add(new Ledger.Create("customer", key, id, new BigDecimal(limit), outcome, id));
            if (id != null) {
                ledger.limits.put(id, new BigDecimal(limit));
                ids.add(id);
            }
        }
        assertThat(ids).as("customers created through the API under faults").isNotEmpty();
        return ids;
    }

    private void placeOrders(ChaosRuntime runtime, FaultProxy proxy, AppInspector inspector, List<FaultRule> rules,
                             List<String> customers) throws Exception {
        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger clientsDone = new AtomicInteger();
        SplittableRandom seeds = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        ExecutorService threads = Executors.newFixedThreadPool(config.clients() + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < config.clients(); c++) {
                SplittableRandom random = seeds.split();
                int client = c;
                work.add(threads.submit(() -> {
                    RetryingClient api = new RetryingClient(runtime.baseUri(), random.split());
                    List<String> cancelLater = new ArrayList<>();
                    for (int i = client; i < config.orders(); i += config.clients()) {
                        submitted.incrementAndGet();
                        placeOrder(api, random, customers, i, cancelLater);
                    }
                    for (String orderId : cancelLater) {
                        cancelOnceDecided(api, random, orderId);
                    }
                    clientsDone.incrementAndGet();
                    return null;
                }));
            }
            Future<?> coordinator = threads.submit(() -> {
                coordinate(runtime, proxy, inspector, rules, submitted, clientsDone);
                return null;
            });
            for (Future<?> f : work) {
                f.get(10, TimeUnit.MINUTES);
            }
            coordinator.get(10, TimeUnit.MINUTES);
        } finally {
            threads.shutdownNow();
        }
    }

    /** One order; 15 % are cancelled at once, 25 % put on {@code cancelLater} (cancelled once their saga decided). */
    private void placeOrder(RetryingClient api, SplittableRandom random, List<String> customers, int i,
                            List<String> cancelLater) {
        String customerId = customers.get(random.nextInt(customers.size()));
        BigDecimal total = BigDecimal.valueOf(10 + 5L * random.nextInt(13)).setScale(2);
        String key = random.nextBoolean() ? "order-" + config.seed() + "-" + i : null;
        RetryingClient.Outcome outcome = api.post("/orders",
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}", key);
        String orderId = outcome.status() == 201 ? outcome.body().get("orderId").asText() : null;
        ledger.orderCreates.add(new Ledger.Create("order", key, customerId, total, outcome, orderId));
        if (orderId == null) {
            return;
        }
        double cancel = random.nextDouble();
        if (cancel < 0.15) {
            cancel(api, random, orderId); // at once: refused while pending approval, unless the saga is quick
        } else if (cancel < 0.4) {
            cancelLater.add(orderId);
        }
    }

    private void cancelOnceDecided(RetryingClient api, SplittableRandom random, String orderId) {
        Instant giveUp = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(giveUp)) {
            JsonNode order = api.get("/orders/" + orderId);
            if (order != null && !"APPROVAL_PENDING".equals(order.get("state").asText())) {
                break;
            }
            RetryingClient.sleep(300);
        }
        cancel(api, random, orderId);
    }

    private void cancel(RetryingClient api, SplittableRandom random, String orderId) {
        String key = random.nextBoolean() ? "cancel-" + orderId : null;
        ledger.cancels.add(new Ledger.Cancel(orderId, key, api.post("/orders/" + orderId + "/cancel", null, key)));
    }

    /** Drives commands into their DLQs at 30 % and 75 % of the orders, kills the runtime at 55 %. */
    /**
     * Drives commands into their DLQs from 30 % of the orders on, and again from 75 % (an attempt that found no
     * command waiting is tried again while the clients work), and kills the runtime at 55 %.
     */
    private void coordinate(ChaosRuntime runtime, FaultProxy proxy, AppInspector inspector, List<FaultRule> rules,
                            AtomicInteger submitted, AtomicInteger clientsDone) {
        int poisoned = 0;
        boolean killed = false;
        boolean poisoning = config.has(ChaosFaults.Family.DLQ) || config.has(ChaosFaults.Family.DLQ_ORDER_COMMANDS);
        while (clientsDone.get() < config.clients()
                && (submitted.get() < config.orders() || (poisoning && poisoned < 2))) {
            int done = submitted.get() * 100 / Math.max(1, config.orders());
            if (config.has(ChaosFaults.Family.KILL) && !killed && done >= 55) {
                actions.merge("invocations in flight abandoned by the kill", runtime.killAndRestart(rules), Integer::sum);
                actions.merge("runtime killed and restarted", 1, Integer::sum);
                killed = true;
            } else if (poisoning && poisoned < 2 && done >= (poisoned == 0 ? 30 : 75)) {
                if (poison(proxy, inspector, rules) > 0) {
                    poisoned++;
                }
            }
            RetryingClient.sleep(50);
        }
    }

    /**
     * For each command queue in turn (blocking both at once would starve the order queue: no reservation, no
     * approval): while the runtime's receives of that queue fail, the commands that arrive (waiting up to 8 s for
     * one) are received and abandoned until SQS moves them to the DLQ, as when a function times out on them five
     * times. The order's commands reach their queue only when the stream function could not handle them in process
     * (ADR 0015): while their queue is blocked, the Order's commits of approvals and rejections fail too, so that
     * one does. Returns the number of commands dead-lettered.
     */
    /**
     * The Order's commits of its saga commands refused (the only items holding these event type names); its
     * creations, the customers and the sagas still write.
     */
    private static final List<FaultRule> ORDER_DECISIONS_FAIL = List.of(
            FaultRule.serverError("dynamodb", "PutItem", 1.0).withResource("OrderApproved"),
            FaultRule.serverError("dynamodb", "PutItem", 1.0).withResource("OrderRejected"));

    private int poison(FaultProxy proxy, AppInspector inspector, List<FaultRule> rules) {
        Map<String, String> dlqOf = new LinkedHashMap<>();
        if (config.has(ChaosFaults.Family.DLQ)) {
            dlqOf.put("CustomerCommandsQueue", "CustomerCommandsDlq");
        }
        if (config.has(ChaosFaults.Family.DLQ_ORDER_COMMANDS)) {
            dlqOf.put("OrderCommandsQueue", "OrderCommandsDlq");
        }
        int total = 0;
        for (var queue : dlqOf.entrySet()) {
            List<FaultRule> blocked = new ArrayList<>();
            blocked.add(FaultRule.serverError("sqs", "ReceiveMessage", 1.0).withResource(queue.getKey()));
            if (queue.getKey().equals("OrderCommandsQueue")) {
                // the stream function handles the Order's commands in process (ADR 0015): only one it could not
                // handle reaches the queue. The Order's decisions fail meanwhile, so its next command falls back
                blocked.addAll(ORDER_DECISIONS_FAIL);
            }
            blocked.addAll(rules);
            proxy.rules(blocked);
            try {
                // the order's queue waits for an approval or rejection to fall back: longer than for a command
                Instant giveUp = Instant.now().plusSeconds(queue.getKey().equals("OrderCommandsQueue") ? 30 : 8);
                while (Instant.now().isBefore(giveUp)) {
                    RetryingClient.sleep(250);
                    if (inspector.visible(queue.getKey()) > 0) {
                        int moved = inspector.driveToDeadLetterQueue(queue.getKey(), queue.getValue(),
                                Duration.ofMillis(800));
                        actions.merge("dead-lettered " + queue.getKey(), moved, Integer::sum);
                        total += moved;
                        if (moved > 0) {
                            break;
                        }
                    }
                }
            } finally {
                proxy.rules(rules);
            }
        }
        return total;
    }

    // ---- waiting ----

    private void awaitEveryOrderFinal(AppInspector inspector, Duration max, String when) {
        Instant giveUp = Instant.now().plus(max);
        List<String> pending;
        do {
            pending = notFinal(inspector);
            if (pending.isEmpty()) {
                return;
            }
            RetryingClient.sleep(1_000);
        } while (Instant.now().isBefore(giveUp));
        violations.add("every order ends APPROVED, REJECTED or CANCELLED: " + pending.size() + " order(s) still not "
                + "final " + max.toSeconds() + " s after the clients finished, " + when + ": " + sample(pending));
    }

    private List<String> notFinal(AppInspector inspector) {
        List<String> pending = new ArrayList<>();
        for (String orderId : AppInspector.ids(inspector.commits(), "Order")) {
            OrderStatus status = inspector.status(orderId);
            if (!FINAL.contains(status)) {
                pending.add(orderId + " " + status);
            }
        }
        return pending;
    }

    /**
     * Until the saga queues have nothing visible or in flight (delayed deadlines of sagas may wait) and the events
     * table has not changed for three seconds. A run that does not
     * get quiet is reported (the invariants are then checked on a system still moving).
     */
    private void awaitQuiet(AppInspector inspector, Duration max, String when) {
        Instant giveUp = Instant.now().plus(max);
        int lastCount = -1;
        int stable = 0;
        while (Instant.now().isBefore(giveUp) && stable < 3) {
            int depth = inspector.inFlightOrVisible("CustomerCommandsQueue")
                    + inspector.inFlightOrVisible("OrderCommandsQueue") + inspector.inFlightOrVisible("SagaRepliesQueue");
            int count = inspector.commits().size();
            stable = depth == 0 && count == lastCount ? stable + 1 : 0;
            lastCount = count;
            RetryingClient.sleep(1_000);
        }
        if (stable < 3) {
            actions.merge("not quiet after " + max.toSeconds() + " s " + when, 1, Integer::sum);
        }
    }

    // ---- the invariants ----

    /** Each enabled family did something: a run whose faults never fired proves nothing. */
    private void checkTheChaosHappened(FaultCounts counts, String stack) {
        List<String> idle = new ArrayList<>();
        for (ChaosFaults.Family family : config.faults()) {
            long fired = ChaosFaults.rules(family, config.scale(), stack + "-esm-checkpoints").stream()
                    .mapToLong(counts::count).sum();
            boolean happened = switch (family) {
                case KILL -> actions.getOrDefault("runtime killed and restarted", 0) > 0;
                case DLQ -> actions.getOrDefault("dead-lettered CustomerCommandsQueue", 0) > 0;
                case DLQ_ORDER_COMMANDS -> actions.getOrDefault("dead-lettered OrderCommandsQueue", 0) > 0;
                default -> fired > 0;
            };
            if (!happened) {
                idle.add(family.id());
            }
        }
        if (!idle.isEmpty()) {
            violations.add("the chaos asked for happened: fault families " + idle + " never fired"
                    + " (more ORDERS or a higher SCALE)");
        }
    }

    private void checkInvariants(AppInspector inspector) {
        List<Map<String, AttributeValue>> commits = inspector.commits();
        List<String> orders = AppInspector.ids(commits, "Order");
        List<String> customers = AppInspector.ids(commits, "Customer");
        Map<String, OrderStatus> status = new TreeMap<>();
        orders.forEach(id -> status.put(id, inspector.status(id)));

        // 1. every order ends (again, after the redrive)
        List<String> pending = status.entrySet().stream().filter(e -> !FINAL.contains(e.getValue()))
                .map(e -> e.getKey() + " " + e.getValue()).toList();
        if (!pending.isEmpty()) {
            violations.add("every order ends APPROVED, REJECTED or CANCELLED: " + pending.size()
                    + " order(s) not final at the end: " + sample(pending));
        }

        // 2. credit conserved exactly
        Map<String, List<String>> ordersOfCustomer = new HashMap<>();
        Map<String, BigDecimal> totals = new HashMap<>();
        for (String orderId : orders) {
            var order = inspector.app().orders().get(orderId).state();
            ordersOfCustomer.computeIfAbsent(order.customerId(), k -> new ArrayList<>()).add(orderId);
            totals.put(orderId, order.orderTotal());
        }
        List<String> credit = new ArrayList<>();
        for (String customerId : customers) {
            CustomerState customer = inspector.customer(customerId);
            Set<String> approved = ordersOfCustomer.getOrDefault(customerId, List.of()).stream()
                    .filter(o -> status.get(o) == OrderStatus.APPROVED).collect(Collectors.toCollection(TreeSet::new));
            BigDecimal expected = approved.stream().map(totals::get).reduce(customer.creditLimit(), BigDecimal::subtract);
            if (customer.availableCredit().compareTo(expected) != 0 || !customer.reservations().keySet().equals(approved)) {
                Set<String> extra = new TreeSet<>(customer.reservations().keySet());
                extra.removeAll(approved);
                Set<String> missing = new TreeSet<>(approved);
                missing.removeAll(customer.reservations().keySet());
                credit.add("customer " + customerId + ": available " + customer.availableCredit() + ", expected "
                        + expected + (extra.isEmpty() ? "" : "; held for orders not approved " + describe(extra, status))
                        + (missing.isEmpty() ? "" : "; nothing held for approved orders " + missing));
            }
        }
        if (!credit.isEmpty()) {
            violations.add("credit conserved (available = limit - approved totals): " + credit.size()
                    + " customer(s) off: " + sample(credit));
        }

        // 3. no event doubled
        Map<String, Integer> messageIds = new HashMap<>();
        Map<String, Integer> eventIds = new HashMap<>();
        for (Map<String, AttributeValue> commit : commits) {
            String streamId = commit.get("streamId").s();
            AppInspector.messageId(commit).ifPresent(m -> messageIds.merge(streamId + " message " + m, 1, Integer::sum));
            AppInspector.eventIds(commit).forEach(e -> eventIds.merge(e, 1, Integer::sum));
        }
        List<String> doubledMessages = messageIds.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).sorted().toList();
        if (!doubledMessages.isEmpty()) {
            violations.add("no event doubled: " + doubledMessages.size()
                    + " message id(s) committed more than once in a stream: " + sample(doubledMessages));
        }
        List<String> doubledEvents = eventIds.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).sorted().toList();
        if (!doubledEvents.isEmpty()) {
            violations.add("no event doubled: " + doubledEvents.size() + " event id(s) stored more than once: "
                    + sample(doubledEvents));
        }

        // 4. one saga per order
        Map<String, List<String>> sagas = inspector.sagasByOrder(commits);
        List<String> sagaCounts = new ArrayList<>();
        for (String orderId : orders) {
            int n = sagas.getOrDefault(orderId, List.of()).size();
            if (n != 1) {
                sagaCounts.add(orderId + ": " + n + " sagas");
            }
        }
        if (!sagaCounts.isEmpty()) {
            violations.add("one saga per order: " + sagaCounts.size() + " order(s) with another number: "
                    + sample(sagaCounts));
        }

        // 5. every create the system performed was answered 201
        unanswered("order", orders, ledger.orderCreates, id -> {
            var order = inspector.app().orders().get(id).state();
            return order.customerId() + " " + order.orderTotal().setScale(2);
        }, c -> c.customerId() + " " + c.total().setScale(2));
        unanswered("customer", customers, ledger.customerCreates,
                id -> inspector.customer(id).creditLimit().setScale(2).toString(), c -> c.total().setScale(2).toString());

        // 6. every cancel that happened was answered 200, and every 200 cancel happened
        Set<String> cancelledOk = ledger.cancels.stream().filter(c -> c.outcome().answered(200))
                .map(Ledger.Cancel::orderId).collect(Collectors.toCollection(TreeSet::new));
        Set<String> cancelled = new TreeSet<>();
        for (Map<String, AttributeValue> commit : commits) {
            String streamId = commit.get("streamId").s();
            if (streamId.startsWith("Order-")
                    && AppInspector.events(commit).stream().anyMatch(e -> e.type().equals("OrderCancelled"))) {
                cancelled.add(streamId.substring("Order-".length()));
            }
        }
        Set<String> neverTold = new TreeSet<>(cancelled);
        neverTold.removeAll(cancelledOk);
        if (!neverTold.isEmpty()) {
            violations.add("every cancel that happened was answered 200: " + neverTold.size()
                    + " cancelled order(s) whose clients were never told 200: " + sample(List.copyOf(neverTold))
                    + " (their answers: " + answers(neverTold) + ")");
        }
        Set<String> toldButNot = new TreeSet<>(cancelledOk);
        toldButNot.removeAll(cancelled);
        if (!toldButNot.isEmpty()) {
            violations.add("every cancel answered 200 happened: " + toldButNot.size() + " order(s) answered 200 to a "
                    + "cancel but not cancelled: " + sample(List.copyOf(toldButNot)));
        }

        // 7. every domain event of an Order or a Customer published once
        Map<String, String> domainEvents = new LinkedHashMap<>();
        for (Map<String, AttributeValue> commit : commits) {
            String streamId = commit.get("streamId").s();
            if (streamId.startsWith("Order-") || streamId.startsWith("Customer-")) {
                AppInspector.events(commit).stream().filter(e -> !e.pseudo())
                        .forEach(e -> domainEvents.put(e.id(), streamId + " " + e.type()));
            }
        }
        Map<String, Integer> published = new HashMap<>();
        inspector.published().forEach(e -> published.merge(e.get("id").asText(), 1, Integer::sum));
        List<String> twice = published.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).sorted().toList();
        List<String> never = domainEvents.keySet().stream().filter(e -> !published.containsKey(e))
                .map(e -> e + " of " + domainEvents.get(e)).toList();
        if (!twice.isEmpty()) {
            violations.add("every domain event published once: " + twice.size() + " published more than once: "
                    + sample(twice));
        }
        if (!never.isEmpty()) {
            violations.add("every domain event published once: " + never.size() + " of " + domainEvents.size()
                    + " never published: " + sample(never));
        }

        Map<OrderStatus, Long> byStatus = status.values().stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        System.out.println("chaos: " + orders.size() + " orders " + byStatus + ", " + customers.size() + " customers, "
                + cancelled.size() + " cancelled, " + ledger.cancels.size() + " cancel requests, "
                + ledger.orderCreates.stream().filter(c -> c.idempotencyKey() == null).count()
                + " order creates without Idempotency-Key");
    }

    /**
     * Aggregates of a kind in the table that no client was told about. The one case no server can answer is
     * excused: a request without Idempotency-Key whose HTTP answer was lost on the way back (a connection error,
     * as when the runtime is killed after the write), for the same content; it is counted and printed.
     */
    private void unanswered(String kind, List<String> existing, List<Ledger.Create> creates,
                            java.util.function.Function<String, String> contentOf,
                            java.util.function.Function<Ledger.Create, String> contentOfRequest) {
        Set<String> told = creates.stream().map(Ledger.Create::createdId).filter(id -> id != null)
                .collect(Collectors.toSet());
        Map<String, Integer> ambiguous = new HashMap<>();
        creates.stream().filter(c -> c.idempotencyKey() == null && c.outcome().statuses().contains(-1))
                .forEach(c -> ambiguous.merge(contentOfRequest.apply(c), 1, Integer::sum));
        List<String> neverTold = new ArrayList<>();
        int excused = 0;
        for (String id : existing.stream().filter(id -> !told.contains(id)).toList()) {
            String content = contentOf.apply(id);
            if (ambiguous.getOrDefault(content, 0) > 0) {
                ambiguous.merge(content, -1, Integer::sum);
                excused++;
            } else {
                neverTold.add(id);
            }
        }
        if (excused > 0) {
            System.out.println("chaos: " + excused + " " + kind + "(s) created by a request without Idempotency-Key "
                    + "whose HTTP answer was lost on the way back (not an AWS fault; excused)");
        }
        if (!neverTold.isEmpty()) {
            long retriedWithoutKey = creates.stream().filter(c -> c.idempotencyKey() == null
                    && c.outcome().statuses().size() > 1).count();
            violations.add("every create the system performed was answered 201: " + neverTold.size() + " " + kind
                    + "(s) exist that no client was told about (" + retriedWithoutKey + " " + kind
                    + " creates without Idempotency-Key were retried): " + sample(neverTold));
        }
        List<String> unanswered = creates.stream().filter(c -> c.createdId() == null)
                .map(c -> (c.idempotencyKey() == null ? "no key" : "key") + " " + c.outcome().statuses()).toList();
        if (!unanswered.isEmpty()) {
            System.out.println("chaos: " + unanswered.size() + " " + kind + " create(s) without 201: " + sample(unanswered));
        }
    }

    private String answers(Set<String> orderIds) {
        return ledger.cancels.stream().filter(c -> orderIds.contains(c.orderId()))
                .map(c -> c.outcome().statuses().toString()).collect(Collectors.joining(", "));
    }

    private static String describe(Set<String> orders, Map<String, OrderStatus> status) {
        return orders.stream().map(o -> o + " (" + status.getOrDefault(o, null) + ")").toList().toString();
    }

    private long clientAttempts() {
        long n = 0;
        for (Ledger.Create c : ledger.orderCreates) {
            n += c.outcome().statuses().size();
        }
        for (Ledger.Create c : ledger.customerCreates) {
            n += c.outcome().statuses().size();
        }
        for (Ledger.Cancel c : ledger.cancels) {
            n += c.outcome().statuses().size();
        }
        return n;
    }

    private static String sample(List<String> items) {
        return items.size() <= 6 ? items.toString() : items.subList(0, 6) + " and " + (items.size() - 6) + " more";
    }
}
