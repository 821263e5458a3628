package dev.nosqles.runtime;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.console.Console;
import dev.nosqles.runtime.console.RecentEvents;
import dev.nosqles.runtime.esm.DynamoDbStreamPoller;
import dev.nosqles.runtime.esm.EsmClients;
import dev.nosqles.runtime.esm.EventSourcePoller;
import dev.nosqles.runtime.esm.QueueMapping;
import dev.nosqles.runtime.esm.SchedulePoller;
import dev.nosqles.runtime.esm.SqsPoller;
import dev.nosqles.runtime.esm.StartingPosition;
import dev.nosqles.runtime.esm.StreamMapping;
import dev.nosqles.runtime.esm.internal.LocalContext;
import dev.nosqles.runtime.http.ApiRoute;
import dev.nosqles.runtime.http.LocalApiServer;
import dev.nosqles.runtime.internal.Handlers;
import dev.nosqles.runtime.internal.InvocationLog;
import dev.nosqles.runtime.internal.SystemProperties;
import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.Template;
import dev.nosqles.runtime.template.TemplateReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code make run}: the whole application as template.yaml declares it, on a local AWS. It reads the template,
 * creates its tables, queues, topics and subscriptions, points every AWS SDK client of the JVM at the local AWS
 * (through the SDK's service-specific endpoint properties, so each service may live on another emulator),
 * instantiates each function's handler with the environment the template gives it, serves the HttpApi routes and
 * runs a poller per DynamoDB and SQS event and a timer per {@code Schedule} event ({@code rate(...)}). Each HTTP request and each event-source invocation is logged on one
 * line (see {@link InvocationLog}).
 *
 * <p>Embeddable: {@link #start(Options)} returns a {@link RunningApp}; tests start it without pollers running and
 * call {@link RunningApp#drainUntilIdle()} instead.
 */
public final class LocalRuntime {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private LocalRuntime() {
    }

    /**
     * How to run.
     *
     * @param template     the template file
     * @param port         the HTTP API's port on the loopback interface (0 = a free one)
     * @param stackName    prefix of the generated resource names
     * @param aws          the local AWS to use, or null to start one (and stop it on close)
     * @param startPollers run the event-source pollers on their own threads; false for tests that drain them
     * @param log          where the startup lines and one line per request go
     */
    public record Options(Path template, int port, String stackName, LocalAws aws, boolean startPollers,
                          Consumer<String> log) {
        public Options {
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(stackName, "stackName");
            Objects.requireNonNull(log, "log");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
        }

        /** Port 3000, stack name {@code nosqles-local}, a local AWS of its own, pollers running, log to stdout. */
        public static Options of(Path template) {
            return new Options(template, 3000, "nosqles-local", null, true, System.out::println);
        }

        /** {@link #of} the template found by {@link #findTemplate()}, with {@code PORT} from the environment. */
        public static Options fromEnvironment(Map<String, String> env) {
            Options options = of(findTemplate());
            String port = env.get("PORT");
            return port == null || port.isBlank() ? options : options.withPort(Integer.parseInt(port.strip()));
        }

        public Options withPort(int value) {
            return new Options(template, value, stackName, aws, startPollers, log);
        }

        public Options withStackName(String value) {
            return new Options(template, port, value, aws, startPollers, log);
        }

        public Options withAws(LocalAws value) {
            return new Options(template, port, stackName, value, startPollers, log);
        }

        public Options withPollersStarted(boolean value) {
            return new Options(template, port, stackName, aws, value, log);
        }

        public Options withLog(Consumer<String> value) {
            return new Options(template, port, stackName, aws, startPollers, value);
        }
    }

    /**
     * The template: the {@code nosqles.template} system property, or the first {@code template.yaml} in the
     * working directory or one of its parents.
     */
    public static Path findTemplate() {
        String configured = System.getProperty("nosqles.template");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no template.yaml in the working directory or its parents; "
                + "set -Dnosqles.template=<path>");
    }

    /**
     * {@code make run}. The local AWS keeps its state across restarts in {@code NOSQLES_STATE_DIR} (default
     * {@code .local-state} beside the template); {@code NOSQLES_FRESH=1} ({@code make run FRESH=1}) empties it first.
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        Options defaults = Options.fromEnvironment(env);
        Path stateDir = stateDir(env, defaults.template());
        if ("1".equals(env.get("NOSQLES_FRESH")) || "true".equalsIgnoreCase(env.get("NOSQLES_FRESH"))) {
            deleteState(stateDir);
            defaults.log().accept("State: starting empty (FRESH), kept in " + stateDir);
        } else {
            defaults.log().accept("State: kept in " + stateDir + " (make run FRESH=1 starts empty)");
        }
        LocalAws aws = LocalAws.start(stateDir);
        Options options = defaults.withAws(aws);
        RunningApp app;
        try {
            app = start(options);
        } catch (RuntimeException | Error e) {
            aws.close();
            throw e;
        }
        Path connection = writeConnection(stateDir, app);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            options.log().accept("Stopping...");
            try {
                Files.deleteIfExists(connection);
            } catch (IOException e) {
                options.log().accept("could not delete " + connection + ": " + e.getClass().getSimpleName());
            }
            app.close();
            aws.close();
            options.log().accept("Stopped.");
            stopped.countDown();
        }, "local-runtime-stop"));
        options.log().accept("API: http://localhost:" + app.baseUri().getPort() + "   (Ctrl-C stops)");
        options.log().accept("Console: http://localhost:" + app.baseUri().getPort() + Console.PATH
                + "   (live events, histories, saga timelines, lag, dead letters)");
        options.log().accept("Read models: bin/nosqles projections list --local   (connection in " + connection + ")");
        stopped.await();
    }

    /** The file {@link #writeConnection} writes into the state directory. */
    public static final String CONNECTION_FILE = "runtime.json";

    /**
     * Writes {@value #CONNECTION_FILE} into the state directory: how to reach the running application (this
     * process's id, the API's URL, the AWS endpoint (DynamoDB's; the emulator serves every service on it) and
     * region, the stack name, every table's physical name, every queue's URL and every function's name by logical
     * id). {@code bin/nosqles --local} reads it; {@code make run} deletes it when it stops.
     */
    public static Path writeConnection(Path stateDir, RunningApp app) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
        root.put("format", 1);
        root.put("pid", ProcessHandle.current().pid());
        root.put("startedAt", java.time.Instant.now().toString());
        root.put("apiUrl", app.baseUri().toString());
        root.put("lambdaEndpoint", app.baseUri().toString());
        root.put("dynamoDbEndpoint", app.aws().endpoint(dev.nosqles.localaws.AwsService.DYNAMODB).toString());
        root.put("region", app.aws().region().id());
        root.put("stackName", app.resources().stackName());
        com.fasterxml.jackson.databind.node.ObjectNode tables = root.putObject("tables");
        app.template().tables().forEach(t -> tables.put(t.logicalId(), app.resources().tableName(t.logicalId())));
        com.fasterxml.jackson.databind.node.ObjectNode queues = root.putObject("queues");
        app.template().queues().forEach(q -> queues.put(q.logicalId(), app.resources().queueUrl(q.logicalId())));
        com.fasterxml.jackson.databind.node.ObjectNode functions = root.putObject("functions");
        app.template().functions().forEach(f -> functions.put(f.logicalId(), f.logicalId()));
        Path file = stateDir.resolve(CONNECTION_FILE);
        Path tmp = stateDir.resolve(CONNECTION_FILE + ".tmp");
        try {
            Files.createDirectories(stateDir);
            json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** {@code NOSQLES_STATE_DIR}, else {@code .local-state} in the template's directory. */
    static Path stateDir(Map<String, String> env, Path template) {
        String configured = env.get("NOSQLES_STATE_DIR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip()).toAbsolutePath();
        }
        return template.toAbsolutePath().getParent().resolve(".local-state");
    }

    private static void deleteState(Path stateDir) {
        if (!Files.isDirectory(stateDir)) {
            return;
        }
        try (var files = Files.walk(stateDir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the state directory " + stateDir, e);
        }
    }

    /** Starts everything; on failure, stops what was started. */
    public static RunningApp start(Options options) {
        Template template = TemplateReader.read(options.template());
        Consumer<String> log = options.log();
        boolean ownAws = options.aws() == null;
        LocalAws aws = ownAws ? LocalAws.start() : options.aws();
        List<AutoCloseable> started = new ArrayList<>();
        if (ownAws) {
            started.add(aws);
        }
        try {
            log.accept("Local AWS: " + aws.description());
            AwsCredentials credentials = aws.credentials().resolveCredentials();
            // the SDK's service-specific endpoint properties (aws.endpointUrlDynamoDb, ...Sqs, ...Sns): a handler's
            // client built without an endpoint reaches its service where the local AWS has it
            Map<String, String> jvm = new LinkedHashMap<>(aws.endpointProperties());
            jvm.put("aws.region", aws.region().id());
            jvm.put("aws.accessKeyId", credentials.accessKeyId());
            jvm.put("aws.secretAccessKey", credentials.secretAccessKey());
            SystemProperties properties = SystemProperties.set(jvm);
            started.add(properties::restore);

            DynamoDbClient dynamoDb = aws.dynamoDb();
            SqsClient sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
            SnsClient sns = aws.configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
            KmsClient kms = aws.configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
            started.addAll(List.of(dynamoDb, sqs, sns, kms));
            LocalResources resources = LocalResources.create(template, options.stackName(), aws.region().id(),
                    dynamoDb, sqs, sns, kms);
            log.accept("Created " + template.tables().size() + " table(s), " + template.keys().size() + " KMS key(s), "
                    + template.queues().size()
                    + " queue(s), " + template.topics().size() + " topic(s), " + template.subscriptions().size()
                    + " subscription(s) from " + options.template());

            Map<String, Object> handlers = new LinkedHashMap<>();
            for (FunctionDefinition function : template.functions()) {
                Map<String, String> env = resources.environment(function);
                handlers.put(function.logicalId(), Handlers.instantiate(function, env::get));
            }

            RecentEvents recentEvents = new RecentEvents(); // the console's live records
            EsmClients esm = EsmClients.on(aws);
            started.addAll(List.of(esm.dynamoDb(), esm.streams(), esm.sqs()));
            List<EventSourcePoller> pollers = new ArrayList<>();
            for (FunctionDefinition function : template.functions()) {
                pollers.addAll(pollersOf(function, handlers.get(function.logicalId()), resources, esm,
                        options.stackName() + "-esm-checkpoints", log, recentEvents));
                pollers.addAll(schedulesOf(function, handlers.get(function.logicalId()), aws.region().id(), log));
            }
            // stopped first on close (the list is closed in reverse)
            started.addAll(pollers);

            List<ApiRoute> routes = new ArrayList<>();
            for (FunctionDefinition function : template.functions()) {
                RequestHandler<APIGatewayV2HTTPEvent, Object> handler = function.httpApiEvents().isEmpty() ? null
                        : Handlers.as(handlers.get(function.logicalId()), APIGatewayV2HTTPEvent.class, function);
                for (FunctionDefinition.HttpApiEvent event : function.httpApiEvents()) {
                    routes.add(ApiRoute.of(event.method(), event.path(),
                            logged(function, aws.region().id(), handler, log)));
                }
            }
            routes.addAll(ConsoleWiring.console(template, resources, dynamoDb, sqs, recentEvents).routes());
            // the Lambda Invoke API (sam local start-lambda's path) first: no template route starts with /2015-03-31
            routes.add(0, LambdaInvokeApi.forTemplate(template, handlers, aws.region().id(), log).route());
            LocalApiServer server = LocalApiServer.start(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), routes);
            started.add(server);
            for (FunctionDefinition function : template.functions()) {
                function.httpApiEvents().forEach(e -> log.accept("  " + e.method() + " " + e.path() + " -> "
                        + function.logicalId()));
            }
            pollers.forEach(p -> log.accept("  event source " + p.mappingId()));
            if (options.startPollers()) {
                pollers.forEach(EventSourcePoller::start);
            }
            return new RunningApp(server, aws, template, resources, handlers, pollers, started);
        } catch (IOException e) {
            closeAll(started);
            throw new UncheckedIOException("could not start the HTTP API on port " + options.port(), e);
        } catch (RuntimeException | Error e) {
            closeAll(started);
            throw e;
        }
    }

    private static List<EventSourcePoller> pollersOf(FunctionDefinition function, Object handler,
                                                     LocalResources resources, EsmClients esm, String checkpoints,
                                                     Consumer<String> log, RecentEvents recentEvents) {
        List<EventSourcePoller> pollers = new ArrayList<>();
        Duration timeout = Duration.ofSeconds(function.timeoutSeconds());
        for (FunctionDefinition.StreamEvent e : function.streamEvents()) {
            StreamMapping mapping = StreamMapping.defaults(function.logicalId() + "-" + e.name(), function.logicalId(),
                            resources.tableName(e.table()))
                    .withBatchSize(e.batchSize())
                    .withMaxBatchingWindow(Duration.ofSeconds(e.maxBatchingWindowSeconds()))
                    .withMaxRetryAttempts(e.maxRetryAttempts())
                    .withBisectOnError(e.bisectOnError())
                    .withReportBatchItemFailures(e.reportBatchItemFailures())
                    .withOnFailureQueueUrl(e.onFailureQueue() == null ? null : resources.queueUrl(e.onFailureQueue()))
                    .withStartingPosition(StartingPosition.valueOf(e.startingPosition()))
                    .withFilter(dev.nosqles.runtime.esm.EventFilter.of(e.filterPatterns()));
            pollers.add(new DynamoDbStreamPoller(mapping, recentEvents.tap(mapping.id(), InvocationLog.stream(
                    function.logicalId(), e.name(), Handlers.as(handler, DynamodbEvent.class, function), log)),
                    esm, checkpoints, timeout));
        }
        for (FunctionDefinition.QueueEvent e : function.queueEvents()) {
            QueueMapping mapping = QueueMapping.defaults(function.logicalId() + "-" + e.name(), function.logicalId(),
                            resources.queueUrl(e.queue()))
                    .withBatchSize(e.batchSize())
                    .withMaxBatchingWindow(Duration.ofSeconds(e.maxBatchingWindowSeconds()))
                    .withReportBatchItemFailures(e.reportBatchItemFailures())
                    .withFilter(dev.nosqles.runtime.esm.EventFilter.of(e.filterPatterns()));
            pollers.add(new SqsPoller(mapping, InvocationLog.queue(function.logicalId(), e.name(),
                    Handlers.as(handler, SQSEvent.class, function), log), esm, timeout));
        }
        return pollers;
    }

    /**
     * A {@link SchedulePoller} per enabled {@code rate(...)} Schedule event; {@code cron(...)} rules are not run
     * locally (said on one line).
     */
    private static List<EventSourcePoller> schedulesOf(FunctionDefinition function, Object handler, String region,
                                                       Consumer<String> log) {
        List<EventSourcePoller> pollers = new ArrayList<>();
        for (FunctionDefinition.ScheduleEvent e : function.scheduleEvents()) {
            if (!e.enabled() || e.rate() == null) {
                log.accept("  schedule " + function.logicalId() + "-" + e.name() + " (" + e.expression()
                        + ") is not run locally: " + (e.enabled() ? "only rate(...) expressions are" : "disabled"));
                continue;
            }
            pollers.add(new SchedulePoller(function.logicalId() + "-" + e.name(), function.logicalId(), e.rate(),
                    Handlers.as(handler, ScheduledEvent.class, function), region, Clock.systemUTC(), log));
        }
        return pollers;
    }

    /** The handler with a Lambda {@code Context} and one log line per request (method, path, status, time). */
    private static RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> logged(
            FunctionDefinition function, String region, RequestHandler<APIGatewayV2HTTPEvent, Object> handler,
            Consumer<String> log) {
        Duration timeout = Duration.ofSeconds(function.timeoutSeconds());
        return (event, ignored) -> {
            long start = System.nanoTime();
            String request = event.getRequestContext().getHttp().getMethod() + " " + event.getRawPath();
            try {
                Object result = handler.handleRequest(event,
                        new LocalContext(function.logicalId(), region, timeout, Clock.systemUTC()));
                if (!(result instanceof APIGatewayV2HTTPResponse response)) {
                    throw new FunctionLoadException(function.logicalId(), function.handlerClass(),
                            "did not return an APIGatewayV2HTTPResponse", null);
                }
                log.accept(request + " -> " + (response.getStatusCode() == 0 ? 200 : response.getStatusCode()) + " "
                        + function.logicalId() + " " + (System.nanoTime() - start) / 1_000_000 + " ms");
                return response;
            } catch (RuntimeException e) {
                log.accept(request + " -> 500 " + function.logicalId() + " failed: " + e.getClass().getName());
                throw e;
            }
        };
    }

    static void closeAll(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable c = started.get(i);
            try {
                if (c instanceof EventSourcePoller poller) {
                    poller.stop(STOP_GRACE);
                } else {
                    c.close();
                }
            } catch (Exception e) {
                System.getLogger(LocalRuntime.class.getName()).log(System.Logger.Level.WARNING,
                        "stopping {0} failed: {1}", c.getClass().getSimpleName(), e.getClass().getName());
            }
        }
    }
}
