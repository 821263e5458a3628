package dev.nosqles.bench;

import dev.nosqles.bench.coldstart.ColdStartProbe;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * Section 5: cold start. Each run is a fresh JVM (the {@code java} the bench runs on) on the shaded Lambda jar
 * plus {@link ColdStartProbe}, started by this process and timed from just before the fork to the first
 * response: the real {@code ApiHandler} handling one {@code POST /customers} against moto, side by side with a
 * minimal handler that only builds a DynamoDB client (URL-connection) and sends one GetItem, with no SLF4J provider
 * on its class path ({@link #LOG_PROVIDER_REGISTRATION}) as in a function packaged with the SDK alone. SnapStart is not
 * measured: this is a plain JVM start, the case SnapStart exists to avoid.
 */
public final class ColdStart {
    /** The function whose JVM flags (template.yaml's JAVA_TOOL_OPTIONS for it) every variant runs with. */
    public static final String FUNCTION = "ApiFunction";
    public static final String API = "ApiHandler";
    public static final String MINIMAL = "minimal";
    /** {@code POST /customers}'s requests written by hand on the bare SDK ({@code HandWrittenCreate}). */
    public static final String EQUIVALENT = "hand-written";
    public static final String LAMBDA_JAR = "lambda-handlers/target/lambda/nosqles-lambda-handlers.jar";
    /**
     * The SLF4J provider registration the shaded jar carries (the application's JSON logs, ADR 0017). The bare
     * variants run on a copy of the jar without it, as a function packaged with the SDK alone: SLF4J looks for a
     * provider, finds none, warns and logs nothing. Left in, their SDK's SLF4J calls would start the JSON provider.
     */
    public static final String LOG_PROVIDER_REGISTRATION = "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";
    /** Issue 15's goal: ApiHandler's fork → first response at most this multiple of the bare client's (medians). */
    public static final double GOAL_RATIO = 1.2;

    private ColdStart() {
    }

    /**
     * @param runs    measured processes per variant
     * @param warmups discarded processes per variant first (they warm the OS page cache with the jar)
     */
    public record Config(int runs, int warmups) {
        /**
         * 24 rounds: each of the six orders of the three variants four times. On 2 cores the ratio of 12 rounds'
         * medians moved by ±0.05 from run to run (1.16× to 1.30× in ten runs of one commit); 24 halve its variance.
         */
        public static Config full() {
            return new Config(24, 1);
        }
    }

    /** One child process. Times in ms from just before the fork. */
    public record Run(String variant, int run, boolean handled, String status, double launchToMainMs,
                      double mainToConstructedMs, double firstRequestMs, double launchToResponseMs,
                      double processExitMs, long classesLoaded, double cpuMs, String problem) {
    }

    /** Median and spread (min, max) of one phase over the handled runs. */
    public record Stat(double medianMs, double minMs, double maxMs) {
        static Stat of(double[] values) {
            if (values.length == 0) {
                return new Stat(Double.NaN, Double.NaN, Double.NaN);
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new Stat(median, sorted[0], sorted[n - 1]);
        }
    }

    public record Variant(String name, String description, int runs, int handled, Stat launchToMain,
                          Stat mainToConstructed, Stat firstRequest, Stat launchToResponse, Stat processExit,
                          long classesLoadedMedian, Stat cpu) {
    }

    /**
     * The classes one process loaded, by where they come from ({@link #LIBRARIES}), whether the ObjectMapper was
     * among them, whether jackson-core's {@code JsonFactory} was (any parser or generator of jackson-core needs it),
     * how many dynamic proxies were generated (reflection makes each annotation it returns one; the first costs
     * tens of ms, ADR 0021), and which of {@link #BUILT_ON_FIRST_USE} it loaded.
     */
    public record Classes(Map<String, Long> byLibrary, boolean objectMapper, boolean jsonFactory, int proxies,
                          List<String> builtOnFirstUse) {
        public long total() {
            return byLibrary.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The libraries classes are counted by, in the report's order; a class is counted under the first that matches. */
    public static final List<String> LIBRARIES = List.of("JDK", "AWS SDK", "Jackson databind",
            "Jackson core and annotations", "nosqles", "AWS Lambda libraries", "SLF4J", "the probe", "other");

    /**
     * @param requests per variant, the AWS requests of one more (untimed) run sent through a counting proxy, by
     *                 operation ({@code dynamodb:GetItem} ...)
     * @param classes  per variant, the classes that counted run loaded ({@code -Xlog:class+load})
     */
    public record Result(String java, List<String> jvmFlags, String jar, long jarBytes, int warmups,
                         List<Variant> variants, List<Run> runs, Map<String, Map<String, Long>> requests,
                         Map<String, Classes> classes) {
        public Variant variant(String name) {
            return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
        }
    }

    public static Result run(BenchEnv env, Config config) throws IOException, InterruptedException {
        Path jar = lambdaJar();
        String eventsTable = env.newEventsTable("cold-start");
        String snapshotsTable = env.newKeyedTable("cold-start-snapshots");
        String keysTable = "bench-cold-start-keys-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys.createTable(env.plain(), keysTable);
        String keyId;
        try (var kms = env.aws().configure(software.amazon.awssdk.services.kms.KmsClient.builder())
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .build()) {
            keyId = kms.createKey(b -> b.description("bench cold start")).keyMetadata().keyId();
            // the keys table's key-encryption key exists beforehand, as in a deployment that has served a request:
            // every variant that creates a customer reads it and unwraps it with one KMS call (ADR 0014)
            dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys.builder().dynamoDb(env.plain()).tableName(keysTable)
                    .kms(kms).kmsKeyId(keyId).build()
                    .encrypt("cold-start-setup", new byte[1], new byte[0]);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvmFlags = templateJvmFlags(dev.nosqles.runtime.LocalRuntime.findTemplate());
        List<String> variables = templateVariables(dev.nosqles.runtime.LocalRuntime.findTemplate());
        String classpath = jar.toAbsolutePath() + File.pathSeparator + probeLocation();
        Path bareJar = withoutLogProvider(jar);
        try {
            return measure(env, config, jar, java, jvmFlags, variables, classpath, bareJar, eventsTable,
                    snapshotsTable, keysTable, keyId);
        } finally {
            Files.deleteIfExists(bareJar);
        }
    }

    private static Result measure(BenchEnv env, Config config, Path jar, String java, List<String> jvmFlags,
                                  List<String> variables, String classpath, Path bareJar, String eventsTable, String snapshotsTable,
                                  String keysTable, String keyId) throws IOException, InterruptedException {
        String bareClasspath = bareJar.toAbsolutePath() + File.pathSeparator + probeLocation();
        // the application's logging flags are its own; a function packaged with the SDK alone has the others
        List<String> bareFlags = jvmFlags.stream().filter(f -> !f.startsWith("-Dslf4j.")).toList();
        AwsCredentials credentials = env.aws().credentials().resolveCredentials();
        // as Lambda starts a function without SnapStart: the region and the execution role's keys as variables
        Map<String, String> lambdaVariables = new java.util.HashMap<>(Map.of("AWS_REGION", env.aws().region().id(),
                "AWS_ACCESS_KEY_ID", credentials.accessKeyId(), "AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey()));
        if (credentials instanceof software.amazon.awssdk.auth.credentials.AwsSessionCredentials session) {
            lambdaVariables.put("AWS_SESSION_TOKEN", session.sessionToken());
        }
        ProbeCommand command = (variant, endpoint, diagnostics) -> {
            List<String> args = new ArrayList<>(List.of(java));
            args.addAll(variant.equals(API) ? jvmFlags : bareFlags);
            args.addAll(diagnostics);
            // diagnostics only (e.g. -Xlog:class+load:file=/tmp/cl-%p.txt), never in a reported run's flags
            String extra = System.getProperty("nosqles.coldStartDiagnosticFlags", "");
            if (!extra.isBlank()) {
                args.addAll(List.of(extra.trim().split("\\s+")));
            }
            args.addAll(List.of(
                    "-Daws.endpointUrl=" + endpoint,
                    "-cp", variant.equals(API) ? classpath : bareClasspath, ColdStartProbe.class.getName(),
                    variant.equals(API) ? "api" : variant.equals(EQUIVALENT) ? "equivalent" : "minimal",
                    eventsTable, snapshotsTable, env.aws().region().id(), keysTable, keyId));
            if (variant.equals(API)) {
                args.addAll(variables);
            }
            return args;
        };

        // each round runs the three in the next of their six orders, so each follows each as often as the others
        List<List<String>> orders = List.of(List.of(MINIMAL, API, EQUIVALENT), List.of(API, EQUIVALENT, MINIMAL),
                List.of(EQUIVALENT, MINIMAL, API), List.of(MINIMAL, EQUIVALENT, API), List.of(API, MINIMAL, EQUIVALENT),
                List.of(EQUIVALENT, API, MINIMAL));
        List<Run> runs = new ArrayList<>();
        for (int i = -config.warmups(); i < config.runs(); i++) {
            for (String variant : orders.get(Math.floorMod(i, orders.size()))) {
                Run run = launch(variant, i + 1, command.of(variant, env.aws().endpoint(), List.of()), lambdaVariables);
                if (i >= 0) {
                    runs.add(run);
                }
            }
        }
        // one more run of each, untimed, through a proxy that counts its requests by operation, logging its classes
        Map<String, Map<String, Long>> requests = new java.util.LinkedHashMap<>();
        Map<String, Classes> classes = new java.util.LinkedHashMap<>();
        Path logs = Files.createTempDirectory("cold-start-classes");
        try (var proxy = dev.nosqles.localaws.faults.FaultProxy.start(env.aws(), 1L)) {
            for (String variant : List.of(API, EQUIVALENT, MINIMAL)) {
                Map<String, Long> before = proxy.counts().requests();
                Path classLog = logs.resolve(variant + ".log");
                Run counted = launch(variant, 0, command.of(variant, proxy.endpoint(),
                        List.of("-Xlog:class+load=info:file=" + classLog)), lambdaVariables);
                Map<String, Long> after = proxy.counts().requests();
                Map<String, Long> delta = new java.util.TreeMap<>();
                after.forEach((op, n) -> {
                    long d = n - before.getOrDefault(op, 0L);
                    if (d > 0) {
                        delta.put(op, d);
                    }
                });
                requests.put(variant, counted.handled() ? Map.copyOf(delta) : Map.of());
                if (counted.handled() && Files.isRegularFile(classLog)) {
                    classes.put(variant, classes(Files.readAllLines(classLog)));
                }
            }
        } finally {
            try (var files = Files.list(logs)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(logs);
        }
        List<Variant> variants = List.of(
                summarise(API, "`new ApiHandler(env)` (Application.fromEnvironment: DynamoDB and KMS clients, stores,"
                        + " subject keys, repositories, routes; the KMS client and the subject keys built, and the keys"
                        + " table's key-encryption key read and unwrapped with one KMS Decrypt, on a thread of their own"
                        + " during init, ADR 0014 and 0020), then one POST /customers (a new data key: the customer's key"
                        + " sealed with it and put, without a read first as the customer is new; a PutItem of the new"
                        + " customer)", runs),
                summarise(EQUIVALENT, "the same requests written by hand on the bare SDK (`HandWrittenCreate`):"
                        + " DynamoDB and KMS clients on the URL-connection HTTP client, signing with the keys Lambda sets"
                        + " (one provider, no credentials chain, as ApiHandler does), then GetItem (the key-encryption"
                        + " key), KMS Decrypt, AES-GCM in the JDK, PutItem (the sealed key),"
                        + " PutItem (the commit); no JSON library, no framework, no SLF4J provider. The floor for"
                        + " this request: what it costs without the framework", runs),
                summarise(MINIMAL, "a DynamoDB client on the URL-connection HTTP client, then one GetItem, as a"
                        + " function packaged with the SDK alone: no SLF4J provider on its class path (SLF4J looks for"
                        + " one, finds none and warns)", runs));
        return new Result(java, jvmFlags, jar.toString(), Files.size(jar), config.warmups(), variants,
                List.copyOf(runs), Map.copyOf(requests), Map.copyOf(classes));
    }

    /**
     * Classes ApiHandler builds on first use only (ADR 0020): the order aggregate (its repository) and the read
     * models (the query routes). POST /customers needs neither, so its process should load none of them.
     */
    public static final List<String> BUILT_ON_FIRST_USE = List.of("dev.nosqles.app.order.Order",
            "dev.nosqles.dynamodb.DynamoDbReadModels");

    /** A probe's command line: its variant, the endpoint it sends to, diagnostic JVM flags (none when timed). */
    @FunctionalInterface
    private interface ProbeCommand {
        List<String> of(String variant, java.net.URI endpoint, List<String> diagnostics);
    }

    /** The classes of a {@code -Xlog:class+load} log, by library. */
    static Classes classes(List<String> log) {
        Map<String, Long> byLibrary = new java.util.LinkedHashMap<>();
        LIBRARIES.forEach(l -> byLibrary.put(l, 0L));
        boolean objectMapper = false;
        boolean jsonFactory = false;
        int proxies = 0;
        List<String> builtOnFirstUse = new ArrayList<>();
        for (String line : log) {
            int at = line.indexOf("[class,load] ");
            if (at < 0) {
                continue;
            }
            String rest = line.substring(at + "[class,load] ".length());
            int end = rest.indexOf(' ');
            String name = end < 0 ? rest : rest.substring(0, end);
            objectMapper |= name.equals("com.fasterxml.jackson.databind.ObjectMapper");
            jsonFactory |= name.equals("com.fasterxml.jackson.core.JsonFactory");
            if (BUILT_ON_FIRST_USE.contains(name)) {
                builtOnFirstUse.add(name);
            }
            proxies += rest.contains(" source: __dynamic_proxy__") ? 1 : 0;
            byLibrary.merge(library(name), 1L, Long::sum);
        }
        return new Classes(Map.copyOf(byLibrary), objectMapper, jsonFactory, proxies, List.copyOf(builtOnFirstUse));
    }

    static String library(String className) {
        if (className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.")) {
            return "JDK";
        }
        if (className.startsWith("software.amazon.awssdk.")) {
            return "AWS SDK";
        }
        if (className.startsWith("com.fasterxml.jackson.databind.")
                || className.startsWith("com.fasterxml.jackson.datatype.")) {
            return "Jackson databind";
        }
        if (className.startsWith("com.fasterxml.jackson.")) {
            return "Jackson core and annotations";
        }
        if (className.startsWith("dev.nosqles.bench.")) {
            return "the probe";
        }
        if (className.startsWith("dev.nosqles.")) {
            return "nosqles";
        }
        if (className.startsWith("com.amazonaws.")) {
            return "AWS Lambda libraries";
        }
        if (className.startsWith("org.slf4j.")) {
            return "SLF4J";
        }
        return "other";
    }

    /** ApiHandler's median fork → first response over the bare client's. */
    public static double ratio(Result result) {
        return result.variant(API).launchToResponse().medianMs()
                / result.variant(MINIMAL).launchToResponse().medianMs();
    }

    /**
     * ApiHandler's fork → first response over the bare client's in each round (the variants of a round run back to
     * back, so each ratio sees the machine in one state): the quartiles {@code [q1, median, q3]} of those ratios.
     * The spread beside {@link #ratio}: how far a run's figure may move.
     */
    public static double[] pairedRatioQuartiles(Result result) {
        Map<Integer, Map<String, Double>> rounds = new java.util.TreeMap<>();
        for (Run run : result.runs()) {
            if (run.handled()) {
                rounds.computeIfAbsent(run.run(), r -> new HashMap<>()).put(run.variant(), run.launchToResponseMs());
            }
        }
        double[] ratios = rounds.values().stream().filter(r -> r.containsKey(API) && r.containsKey(MINIMAL))
                .mapToDouble(r -> r.get(API) / r.get(MINIMAL)).sorted().toArray();
        if (ratios.length == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        return new double[] {quantile(ratios, 0.25), quantile(ratios, 0.5), quantile(ratios, 0.75)};
    }

    /** The q-quantile of sorted values, linear between the two nearest ranks. */
    static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = Math.min(low + 1, sorted.length - 1);
        return sorted[low] + (at - low) * (sorted[high] - sorted[low]);
    }

    /** The hand-written equivalent's median fork → first response over the bare client's: the request's own work. */
    public static double equivalentRatio(Result result) {
        return result.variant(EQUIVALENT).launchToResponse().medianMs()
                / result.variant(MINIMAL).launchToResponse().medianMs();
    }

    /** ApiHandler's median fork → first response over the hand-written equivalent's: the framework's own share. */
    public static double overheadRatio(Result result) {
        return result.variant(API).launchToResponse().medianMs()
                / result.variant(EQUIVALENT).launchToResponse().medianMs();
    }

    public static List<Check> checks(Result result) {
        List<Check> checks = new ArrayList<>();
        for (Variant v : result.variants()) {
            checks.add(new Check("cold start: every " + v.name() + " process handled its request",
                    v.handled() == v.runs() && v.runs() > 0, v.handled() + " of " + v.runs()));
        }
        Map<String, Long> api = result.requests().getOrDefault(API, Map.of());
        Map<String, Long> byHand = result.requests().getOrDefault(EQUIVALENT, Map.of());
        checks.add(new Check("cold start: the hand-written equivalent makes ApiHandler's requests",
                !api.isEmpty() && api.equals(byHand), "ApiHandler " + api + ", hand-written " + byHand));
        return checks;
    }

    /**
     * The JVM flags template.yaml gives {@value #FUNCTION} (its {@code JAVA_TOOL_OPTIONS}, Globals included): each
     * process runs as the deployed function would (C1 only, the logging provider named, ...).
     */
    static List<String> templateJvmFlags(Path template) {
        dev.nosqles.runtime.template.FunctionDefinition function = apiFunction(template);
        if (function.environment().get("JAVA_TOOL_OPTIONS") instanceof dev.nosqles.runtime.template.Value.Literal l
                && !l.text().isBlank()) {
            return List.of(l.text().trim().split("\\s+"));
        }
        throw new IllegalStateException(template + " gives " + FUNCTION + " no literal JAVA_TOOL_OPTIONS");
    }

    /** {@value #FUNCTION} as template.yaml declares it (Globals included). */
    private static dev.nosqles.runtime.template.FunctionDefinition apiFunction(Path template) {
        return dev.nosqles.runtime.template.TemplateReader.read(template).function(FUNCTION)
                .orElseThrow(() -> new IllegalStateException(template + " declares no " + FUNCTION));
    }

    /** The variables the probe sets from its arguments (the tables it creates, the key, the region). */
    static final java.util.Set<String> PROBE_VARIABLES = java.util.Set.of("EVENTS_TABLE", "SNAPSHOTS_TABLE",
            "SUBJECT_KEYS_TABLE", "PERSONAL_DATA_KEY_ID", "AWS_REGION");

    /**
     * The other variables template.yaml gives {@value #FUNCTION} (Globals included), as {@code NAME=value} for the
     * probe: a literal as written, a reference by a stand-in (the read-model tables, the cursor-signing key, the
     * stack's name). {@code ApiHandler} reads them at its start as the deployed function does; the tables of the
     * stand-ins do not exist, so a request that used one would fail. {@code JAVA_TOOL_OPTIONS} is given as flags.
     */
    static List<String> templateVariables(Path template) {
        dev.nosqles.runtime.template.FunctionDefinition function = apiFunction(template);
        List<String> variables = new ArrayList<>();
        new java.util.TreeMap<>(function.environment()).forEach((name, value) -> {
            if (name.equals("JAVA_TOOL_OPTIONS") || PROBE_VARIABLES.contains(name)) {
                return;
            }
            String text = switch (value) {
                case dev.nosqles.runtime.template.Value.Literal l -> l.text();
                case dev.nosqles.runtime.template.Value.Ref r -> "cold-start-" + r.logicalId().replaceAll("[^A-Za-z0-9]", "");
                default -> "cold-start-" + name.toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                        + "-0123456789abcdef0123456789abcdef";
            };
            variables.add(name + "=" + text);
        });
        return variables;
    }

    /**
     * The shaded jar: {@code -Dnosqles.lambdaJar}, else {@value #LAMBDA_JAR} in the working directory or the
     * nearest parent holding the lambda-handlers module.
     */
    public static Path lambdaJar() {
        String configured = System.getProperty("nosqles.lambdaJar");
        Path jar = null;
        if (configured != null && !configured.isBlank()) {
            jar = Path.of(configured);
        } else {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null && jar == null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("lambda-handlers/pom.xml"))) {
                    jar = dir.resolve(LAMBDA_JAR);
                }
            }
            if (jar == null) {
                throw new IllegalStateException("no lambda-handlers module in the working directory or its parents;"
                        + " set -Dnosqles.lambdaJar=<path of the shaded jar>");
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no shaded Lambda jar at " + jar + ": build it with"
                    + " `mvn -pl lambda-handlers -am -DskipTests package` (make bench does)");
        }
        return jar;
    }

    /**
     * A copy of the shaded jar without {@link #LOG_PROVIDER_REGISTRATION}: the classes the bare variants use, with
     * no SLF4J provider to find. Deleted by the caller.
     */
    static Path withoutLogProvider(Path jar) throws IOException {
        Path copy = Files.createTempFile("cold-start-bare-", ".jar");
        try {
            Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(copy)) {
                Files.deleteIfExists(zip.getPath(LOG_PROVIDER_REGISTRATION));
            }
            return copy;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
    }

    private static String probeLocation() {
        try {
            return Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Run launch(String variant, int number, List<String> command, Map<String, String> variables)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        builder.environment().putAll(variables);
        long launched = micros();
        Process process = builder.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        long exitedAt = micros();
        if (!exited) {
            process.destroyForcibly();
            return failed(variant, number, "did not exit within 120 s");
        }
        String out = stdout.join();
        String line = out.lines().filter(l -> l.startsWith(ColdStartProbe.PREFIX)).findFirst().orElse(null);
        if (line == null || process.exitValue() != 0) {
            String err = stderr.join().strip();
            return failed(variant, number, "exit " + process.exitValue() + ": "
                    + (err.length() > 300 ? err.substring(err.length() - 300) : err));
        }
        Map<String, String> fields = new HashMap<>();
        for (String kv : line.substring(ColdStartProbe.PREFIX.length()).split(" ")) {
            int eq = kv.indexOf('=');
            fields.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        long main = Long.parseLong(fields.get("mainEnteredMicros"));
        long constructed = Long.parseLong(fields.get("constructedMicros"));
        long responded = Long.parseLong(fields.get("respondedMicros"));
        String status = fields.get("status");
        boolean handled = status.startsWith("2");
        return new Run(variant, number, handled, status, (main - launched) / 1e3, (constructed - main) / 1e3,
                (responded - constructed) / 1e3, (responded - launched) / 1e3, (exitedAt - launched) / 1e3,
                Long.parseLong(fields.get("classesLoaded")), Long.parseLong(fields.get("cpuMicros")) / 1e3,
                handled ? null : "status " + status);
    }

    private static Run failed(String variant, int number, String problem) {
        return new Run(variant, number, false, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                Double.NaN, problem);
    }

    private static Variant summarise(String name, String description, List<Run> all) {
        List<Run> runs = all.stream().filter(r -> r.variant().equals(name)).toList();
        List<Run> ok = runs.stream().filter(Run::handled).toList();
        long[] classes = ok.stream().mapToLong(Run::classesLoaded).sorted().toArray();
        return new Variant(name, description, runs.size(), ok.size(),
                Stat.of(ok.stream().mapToDouble(Run::launchToMainMs).toArray()),
                Stat.of(ok.stream().mapToDouble(Run::mainToConstructedMs).toArray()),
                Stat.of(ok.stream().mapToDouble(Run::firstRequestMs).toArray()),
                Stat.of(ok.stream().mapToDouble(Run::launchToResponseMs).toArray()),
                Stat.of(ok.stream().mapToDouble(Run::processExitMs).toArray()),
                classes.length == 0 ? 0 : classes[classes.length / 2],
                Stat.of(ok.stream().mapToDouble(Run::cpuMs).toArray()));
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
