package dev.nosqles.bench;

import dev.nosqles.localaws.LocalAws;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code make bench}: runs sections 1 to 11 of the benchmarks and writes {@code report.md}, {@code results.json} and
 * the charts to the output directory ({@code target/bench} by default). Exits with status 1 when a check fails
 * (after writing the report), 2 on bad arguments.
 *
 * <pre>
 * BenchMain [--out DIR] [--quick] [--only bill|coldstart|subscriptions|load|endtoend] [--runs N]
 * </pre>
 * {@code --quick}: a smaller run for trying the harness (fewer rounds, shorter scenarios); its unit counts are
 * the same, its latency and throughput figures noisier. {@code --only bill}: section 9 alone (the bill per order,
 * deterministic counts, under a minute), written to {@code bill.md} and {@code bill.json}. {@code --only coldstart}:
 * section 5 alone (under a minute; {@code --quick} makes it two runs per variant, {@code --runs N} N runs),
 * written to {@code coldstart.md} and {@code coldstart.json}. {@code --only subscriptions}: section 10 alone
 * (checkpoint writes per delivered event, deterministic counts, seconds), written to {@code subscriptions.md} and
 * {@code subscriptions.json}. {@code --only load}: section 11 alone (sustained load against the local runtime: a
 * minute of the goal's load, then up to ten to settle; then the same flat out), written to {@code load.md} and
 * {@code load.json}. {@code --only
 * endtoend}: section 6 alone (the application's latency from POST /orders to APPROVED, about a minute), written to
 * {@code endtoend.md} and {@code endtoend.json}.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("target", "bench");
        boolean quick = false;
        String only = null;
        int coldStartRuns = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> {
                    if (i + 1 >= args.length) {
                        usage("--out needs a directory");
                    }
                    out = Path.of(args[++i]);
                }
                case "--quick" -> quick = true;
                case "--runs" -> {
                    if (i + 1 >= args.length || !args[i + 1].matches("[1-9][0-9]*")) {
                        usage("--runs needs a positive number");
                    }
                    coldStartRuns = Integer.parseInt(args[++i]);
                }
                case "--only" -> {
                    if (i + 1 >= args.length || !List.of("bill", "coldstart", "subscriptions", "load", "endtoend",
                            "contention")
                            .contains(args[i + 1])) {
                        usage("--only takes one section: bill, coldstart, subscriptions, load, endtoend or contention");
                    }
                    only = args[++i];
                }
                default -> usage("unknown argument " + args[i]);
            }
        }
        if ("bill".equals(only)) {
            runBill(out);
            return;
        }
        if ("endtoend".equals(only)) {
            runEndToEnd(out);
            return;
        }
        if ("load".equals(only)) {
            runLoad(out);
            return;
        }
        if ("contention".equals(only)) {
            runContention(out, quick ? quickContention() : Contention.Config.full());
            return;
        }
        if ("subscriptions".equals(only)) {
            runSubscriptions(out);
            return;
        }
        if ("coldstart".equals(only)) {
            ColdStart.Config config = quick ? new ColdStart.Config(2, 0) : ColdStart.Config.full();
            runColdStart(out, coldStartRuns > 0 ? new ColdStart.Config(coldStartRuns, config.warmups()) : config);
            return;
        }
        Results results = run(quick);
        Report.write(out, results);
        log("report: " + out.resolve("report.md").toAbsolutePath() + " (" + Report.f(results.wallSeconds(), 0) + " s)");
        if (!results.passed()) {
            BenchCheckFailedException failed = new BenchCheckFailedException(
                    results.checks().stream().filter(c -> !c.passed()).toList());
            System.err.println(failed.getMessage());
            System.exit(1);
        }
    }

    /** Section 9 alone: {@code bill.md} and {@code bill.json}; exit status 1 when its check fails. */
    static void runBill(Path out) throws Exception {
        long t = System.nanoTime();
        OrderBill.Result bill;
        try (LocalAws aws = LocalAws.start()) {
            log("9. the bill per order ...");
            bill = OrderBill.run(aws, OrderBill.Config.full());
        }
        writeSection(out, "bill", "9", t, bill, () -> OrderBill.section(bill), OrderBill.checks(bill));
    }

    /** Section 11 alone: {@code load.md} and {@code load.json}; exit status 1 when a check fails. */
    static void runLoad(Path out) throws Exception {
        long t = System.nanoTime();
        SustainedLoad.Runs result;
        try (LocalAws aws = LocalAws.start()) {
            log("11. sustained load ...");
            result = SustainedLoad.runs(aws, SustainedLoad.Config.full(), SustainedLoad.Config.flatOut());
        }
        writeSection(out, "load", "11", t, result, () -> SustainedLoad.section(result),
                SustainedLoad.checks(result));
    }

    /** Section 10 alone: {@code subscriptions.md} and {@code subscriptions.json}; exit status 1 when a check fails. */
    /** Section 6 alone: {@code endtoend.md} and {@code endtoend.json}; exit status 1 when a check fails. */
    static void runEndToEnd(Path out) throws Exception {
        long t = System.nanoTime();
        EndToEnd.Result result;
        try (LocalAws aws = LocalAws.start()) {
            log("6. end to end ...");
            result = EndToEnd.run(aws, EndToEnd.Config.full());
        }
        writeSection(out, "endtoend", "6", t, result, () -> Report.endToEndSection(out, result),
                EndToEnd.checks(result));
    }

    static void runSubscriptions(Path out) throws Exception {
        long t = System.nanoTime();
        SubscriptionCosts.Result result;
        try (LocalAws aws = LocalAws.start(); BenchEnv env = new BenchEnv(aws)) {
            log("10. subscriptions ...");
            result = SubscriptionCosts.run(env, SubscriptionCosts.Config.full());
        }
        writeSection(out, "subscriptions", "10", t, result, () -> SubscriptionCosts.section(result),
                SubscriptionCosts.checks(result));
    }

    /** Section 4 alone: {@code contention.md} and {@code contention.json}; exit status 1 when a check fails. */
    static void runContention(Path out, Contention.Config config) throws Exception {
        long t = System.nanoTime();
        List<Contention.Scenario> result;
        try (LocalAws aws = LocalAws.start(); BenchEnv env = new BenchEnv(aws)) {
            log("4. contention ...");
            result = Contention.run(env, config);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        contentionSettings(settings, config);
        writeSection(out, "contention", "4", t, result, () -> Report.contentionSection(out, result, settings),
                Contention.checks(result));
    }

    private static Contention.Config quickContention() {
        return new Contention.Config(List.of(1, 4, 16), 1.0, 10, dev.nosqles.aggregate.RetryPolicy.defaults());
    }

    private static void contentionSettings(Map<String, Object> settings, Contention.Config contentionConfig) {
        settings.put("contentionSeconds", contentionConfig.secondsPerScenario());
        settings.put("contentionSnapshotEvery", contentionConfig.snapshotEvery());
        dev.nosqles.aggregate.RetryPolicy retry = contentionConfig.retry();
        settings.put("retryPolicy", retry.maxAttempts() + " attempts, full-jitter back-off from "
                + retry.baseDelay().toMillis() + " ms up to " + retry.maxDelay().toMillis() + " ms");
    }

    /** Section 5 alone: {@code coldstart.md} and {@code coldstart.json}; exit status 1 when a check fails. */
    static void runColdStart(Path out, ColdStart.Config config) throws Exception {
        long t = System.nanoTime();
        ColdStart.Result result;
        try (LocalAws aws = LocalAws.start(); BenchEnv env = new BenchEnv(aws)) {
            log("5. cold start ...");
            result = ColdStart.run(env, config);
        }
        writeSection(out, "coldstart", "5", t, result, () -> Report.coldStartSection(out, result),
                ColdStart.checks(result));
    }

    /** A section's Markdown, written once its result is in hand (it may draw charts). */
    private interface Section {
        String markdown() throws Exception;
    }

    /**
     * The end of an {@code --only} run: {@code <name>.md} (first: a result that cannot be serialised still leaves
     * its page) and {@code <name>.json} in {@code out}; exit status 1 when a check fails.
     */
    private static void writeSection(Path out, String name, String number, long startNanos, Object result,
                                     Section markdown, List<Check> checks) throws Exception {
        java.nio.file.Files.createDirectories(out.resolve(Report.CHARTS));
        java.nio.file.Files.writeString(out.resolve(name + ".md"), markdown.markdown());
        Report.json().writeValue(out.resolve(name + ".json").toFile(), result);
        log(number + ". done in " + secs(startNanos) + " s: " + out.resolve(name + ".md").toAbsolutePath());
        List<Check> failed = checks.stream().filter(c -> !c.passed()).toList();
        if (!failed.isEmpty()) {
            System.err.println(new BenchCheckFailedException(failed).getMessage());
            System.exit(1);
        }
    }

    static Results run(boolean quick) throws Exception {
        long start = System.nanoTime();
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        RequestUnits.Config unitsConfig = RequestUnits.Config.full();
        Overhead.Config overheadConfig = quick ? new Overhead.Config(20, 60, 20) : Overhead.Config.full();
        Contention.Config contentionConfig = quick ? quickContention() : Contention.Config.full();
        Replay.Config replayConfig = quick ? new Replay.Config(1, 1, 2, 0.5) : Replay.Config.full();
        ColdStart.Config coldStartConfig = quick ? new ColdStart.Config(2, 0) : ColdStart.Config.full();
        EndToEnd.Config endToEndConfig = quick
                ? new EndToEnd.Config(5, java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(5))
                : EndToEnd.Config.full();

        Map<String, Double> sections = new LinkedHashMap<>();
        List<Check> checks = new ArrayList<>();
        Machine machine = Machine.describe();
        String loadAtStart = Machine.loadAverage();
        RequestUnits.Result units;
        List<Overhead.Comparison> overhead;
        List<Contention.Scenario> contention;
        ColdStart.Result coldStart = null;
        EndToEnd.Result endToEnd = null;
        RebuildThroughput.Result rebuild = null;
        PersonalDataOverhead.Result personalData = null;
        OrderBill.Result bill = null;
        SubscriptionCosts.Result subscriptions = null;
        SustainedLoad.Runs load = null;
        OrderBill.Config billConfig = OrderBill.Config.full();
        PersonalDataOverhead.Config personalDataConfig = quick ? PersonalDataOverhead.Config.quick()
                : PersonalDataOverhead.Config.full();
        RebuildThroughput.Config rebuildConfig = quick ? RebuildThroughput.Config.quick()
                : RebuildThroughput.Config.full();
        String backend;
        long t = System.nanoTime();
        try (LocalAws aws = LocalAws.start(); BenchEnv env = new BenchEnv(aws)) {
            backend = aws.description();
            log("backend: " + backend + " (started in " + secs(t) + " s)");

            t = System.nanoTime();
            log("1. request units ...");
            units = RequestUnits.run(env, unitsConfig);
            checks.addAll(RequestUnits.checks(units));
            sections.put("requestUnits", secs(t));
            log("1. done in " + secs(t) + " s");

            t = System.nanoTime();
            log("2. overhead against the bare SDK ...");
            overhead = Overhead.run(env, overheadConfig);
            sections.put("overhead", secs(t));
            log("2. done in " + secs(t) + " s");

            t = System.nanoTime();
            log("4. contention ...");
            contention = Contention.run(env, contentionConfig);
            checks.addAll(Contention.checks(contention));
            sections.put("contention", secs(t));
            log("4. done in " + secs(t) + " s");

            coldStart = guarded("5", "cold start", "cold start", "coldStart", sections, checks,
                    () -> ColdStart.run(env, coldStartConfig), ColdStart::checks, null);
            endToEnd = guarded("6", "end to end", "end to end", "endToEnd", sections, checks,
                    () -> EndToEnd.run(aws, endToEndConfig), EndToEnd::checks, EndToEnd.Result::outcome);
            rebuild = guarded("7", "rebuild against a bare parallel Scan", "rebuild", "rebuild", sections, checks,
                    () -> RebuildThroughput.run(env, rebuildConfig, RebuildThroughput.applicationProjections(),
                            RebuildThroughput.PROJECTION, BenchMain::log), RebuildThroughput::checks, null);
            personalData = guarded("8", "personal data: encryption overhead and KMS calls", "personal data",
                    "personalData", sections, checks, () -> PersonalDataOverhead.run(env, personalDataConfig),
                    PersonalDataOverhead::checks, null);
            bill = guarded("9", "the bill per order", "bill per order", "bill", sections, checks,
                    () -> OrderBill.run(aws, billConfig), OrderBill::checks, OrderBill.Result::outcome);
            subscriptions = guarded("10", "subscriptions: checkpoint writes per delivered event", "subscriptions",
                    "subscriptions", sections, checks, () -> SubscriptionCosts.run(env, SubscriptionCosts.Config.full()),
                    SubscriptionCosts::checks, null);
            load = guarded("11", "sustained load", "sustained load", "load", sections, checks,
                    () -> SustainedLoad.runs(aws, SustainedLoad.Config.full(), SustainedLoad.Config.flatOut()),
                    SustainedLoad::checks,
                    r -> "the goal's load: " + r.goal().ordersCreated() + " orders, " + r.goal().rejectedByDeadline()
                            + " rejected by a deadline, " + r.goal().undecided() + " undecided, the last decided "
                            + Report.f(r.goal().lastDecidedAfterLoadSeconds(), 1) + " s after the load; flat out: "
                            + r.flatOut().ordersCreated() + " orders, " + r.flatOut().undecided() + " undecided");
        }
        // JMH last, with moto stopped: nothing else on the two cores
        t = System.nanoTime();
        log("3. replay CPU (JMH) ...");
        List<Replay.Score> replay = Replay.run(replayConfig);
        sections.put("replay", secs(t));
        log("3. done in " + secs(t) + " s");

        Map<String, Object> pricing = new LinkedHashMap<>();
        pricing.put("currency", "USD");
        pricing.put("region", Pricing.REGION);
        pricing.put("effective", Pricing.EFFECTIVE);
        pricing.put("writePerMillionUnits", Pricing.WRITE_PER_MILLION);
        pricing.put("readPerMillionUnits", Pricing.READ_PER_MILLION);
        pricing.put("source", Pricing.SOURCE);

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("quick", quick);
        settings.put("loadAverageAtStart", loadAtStart);
        settings.put("loadAverageAtEnd", Machine.loadAverage());
        settings.put("commandsPerWriteScenario", unitsConfig.commandsPerScenario());
        settings.put("loadEventBytes", unitsConfig.loadEventBytes());
        settings.put("overheadWarmup", overheadConfig.warmup());
        settings.put("overheadSamples", overheadConfig.samples());
        settings.put("overheadLoadEvents", overheadConfig.loadEvents());
        contentionSettings(settings, contentionConfig);
        settings.put("coldStartRuns", coldStartConfig.runs());
        settings.put("coldStartWarmups", coldStartConfig.warmups());
        settings.put("endToEndOrders", endToEndConfig.orders());
        settings.put("endToEndApprovalWaitSeconds", endToEndConfig.approvalWait().toSeconds());
        settings.put("endToEndPollEveryMs", endToEndConfig.pollEvery().toMillis());
        settings.put("rebuildOrders", rebuildConfig.orders());
        settings.put("rebuildCustomers", rebuildConfig.customers());
        settings.put("rebuildSegments", rebuildConfig.segments());
        settings.put("rebuildPageSize", rebuildConfig.pageSize());
        settings.put("personalDataSamples", personalDataConfig.samples());
        settings.put("personalDataSubjects", personalDataConfig.subjects());
        settings.put("personalDataCommandsPerPhase", personalDataConfig.commands());
        settings.put("billApprovedOrders", billConfig.approvedOrders());
        settings.put("jmh", org.openjdk.jmh.util.Utils.class.getPackage().getImplementationVersion() == null
                ? "1.37" : org.openjdk.jmh.util.Utils.class.getPackage().getImplementationVersion());
        settings.put("jmhSettings", replayConfig.rounds() + " round(s) of one fork per benchmark, the order reversed"
                + " every other round, each fork " + replayConfig.warmupIterations() + " warm-up × "
                + replayConfig.iterationSeconds() + " s, " + replayConfig.measurementIterations() + " × "
                + replayConfig.iterationSeconds() + " s, -prof gc");
        return new Results(1, startedAt.toString(), secs(start), sections, machine, backend, pricing, settings,
                units, overhead, replay, contention, coldStart, endToEnd, rebuild, personalData, bill, subscriptions, load, checks);
    }

    /** A section's work; it may throw anything (the run goes on without it). */
    @FunctionalInterface
    private interface SectionRun<R> {
        R run() throws Exception;
    }

    /**
     * Section {@code number} that may fail without stopping the others: runs it, adds its checks (and logs its
     * outcome line, when {@code outcome} is given), or, when it throws, logs the failure and adds the failed check
     * "{@code name}: the section ran"; records its seconds under {@code key} either way.
     *
     * @return its result, or null when it failed before producing one
     */
    private static <R> R guarded(String number, String title, String name, String key, Map<String, Double> sections,
                                 List<Check> checks, SectionRun<R> run, Function<R, List<Check>> checksOf,
                                 Function<R, String> outcome) {
        long t = System.nanoTime();
        log(number + ". " + title + " ...");
        R result = null;
        try {
            result = run.run();
            checks.addAll(checksOf.apply(result));
            if (outcome != null) {
                log(number + ". " + outcome.apply(result));
            }
        } catch (Exception e) {
            log(number + ". failed: " + e);
            checks.add(new Check(name + ": the section ran", false, e.toString()));
        }
        sections.put(key, secs(t));
        log(number + ". done in " + secs(t) + " s");
        return result;
    }

    private static double secs(long since) {
        return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
    }

    private static void log(String message) {
        System.err.println("[bench] " + message);
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: BenchMain [--out DIR] [--quick] [--only bill|coldstart|subscriptions|load|endtoend] [--runs N]");
        System.exit(2);
    }
}
