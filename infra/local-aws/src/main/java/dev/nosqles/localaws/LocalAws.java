package dev.nosqles.localaws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A running AWS for tests and local runs: moto (default), LocalStack or a given endpoint, chosen by
 * {@link Backend#decide}. {@link #shared()} gives one per JVM, stopped when the JVM exits.
 */
public final class LocalAws implements AutoCloseable {
    private static LocalAws shared;

    private final Backend backend;
    private final URI endpoint;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final String description;
    private final AutoCloseable stopper;
    private final Map<AwsService, URI> serviceEndpoints;

    private LocalAws(Backend backend, URI endpoint, Region region, AwsCredentialsProvider credentials,
                     String description, AutoCloseable stopper) {
        this(backend, endpoint, region, credentials, description, stopper, Map.of());
    }

    private LocalAws(Backend backend, URI endpoint, Region region, AwsCredentialsProvider credentials,
                     String description, AutoCloseable stopper, Map<AwsService, URI> serviceEndpoints) {
        this.backend = backend;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.description = description;
        this.stopper = stopper;
        this.serviceEndpoints = serviceEndpoints.isEmpty() ? Map.of() : new EnumMap<>(serviceEndpoints);
    }

    /** The JVM-wide instance, started on first use. */
    public static synchronized LocalAws shared() {
        if (shared == null) {
            LocalAws started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-aws-stop"));
            shared = started;
        }
        return shared;
    }

    /**
     * Starts (or connects to) the backend the environment selects, then applies the service-specific endpoints set
     * in the environment or system properties ({@link AwsService}): those services go there, the others to the
     * backend.
     */
    public static LocalAws start() {
        Map<String, String> env = System.getenv();
        Backend backend = Backend.decide(env, dockerReachable(env));
        LocalAws aws = switch (backend) {
            case ENDPOINT -> endpoint(URI.create(env.get("AWS_ENDPOINT_URL")), env);
            case LOCALSTACK -> LocalStackLauncher.start(env);
            case MOTO -> startMoto();
            case MINISTACK -> startMiniStack();
        };
        return aws.withServiceEndpoints(env, systemProperties());
    }

    /**
     * This backend with the services that have an endpoint of their own in {@code env} or {@code properties}
     * ({@link AwsService#configuredEndpoint}) pointed there. Closing either closes the backend.
     */
    public LocalAws withServiceEndpoints(Map<String, String> env, Map<String, String> properties) {
        Map<AwsService, URI> own = new EnumMap<>(AwsService.class);
        own.putAll(serviceEndpoints);
        for (AwsService service : AwsService.values()) {
            String configured = service.configuredEndpoint(env, properties);
            if (configured != null) {
                own.put(service, URI.create(configured));
            }
        }
        if (own.equals(serviceEndpoints)) {
            return this;
        }
        StringBuilder text = new StringBuilder(description);
        own.forEach((service, uri) -> text.append(", ").append(service.name()).append(" at ").append(uri));
        return new LocalAws(backend, endpoint, region, credentials, text.toString(), stopper, own);
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> properties = new java.util.HashMap<>();
        for (AwsService service : AwsService.values()) {
            String value = System.getProperty(service.systemProperty());
            if (value != null) {
                properties.put(service.systemProperty(), value);
            }
        }
        return properties;
    }

    /** moto from the project's virtualenv, on a free loopback port. */
    public static LocalAws startMoto() {
        return startMoto(null);
    }

    /**
     * Starts (or connects to) the backend the environment selects, keeping its state in {@code stateDir} where the
     * project can: moto's state is restored from and saved to {@code stateDir/moto-state.pickle} (see
     * {@link #startMoto(Path)}); an endpoint, LocalStack or MiniStack keeps (or loses) its state itself.
     */
    public static LocalAws start(Path stateDir) {
        Map<String, String> env = System.getenv();
        if (Backend.decide(env, dockerReachable(env)) != Backend.MOTO) {
            return start();
        }
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
        }
        return startMoto(stateDir.resolve(MOTO_STATE_FILE)).withServiceEndpoints(env, systemProperties());
    }

    /** The file in a state directory that holds moto's state. */
    public static final String MOTO_STATE_FILE = "moto-state.pickle";

    /**
     * moto from the project's virtualenv, on a free loopback port, its state restored from {@code stateFile} if it
     * exists and saved there after every request that may change it (null: no state kept). With a state file, moto
     * is stopped by SIGKILL: nothing is saved at exit, so a stop is a kill and a kill loses no acknowledged write.
     */
    public static LocalAws startMoto(Path stateFile) {
        Path python = venvPython();
        int port = freePort();
        try {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("127.0.0.1", String.valueOf(port)));
            if (stateFile != null) {
                args.add(stateFile.toAbsolutePath().toString());
            }
            Launched launched = launch(python, "serve_moto.py", "nosqles-moto-", args);
            Process process = launched.process();
            Path log = launched.log();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            awaitReady(endpoint, process, log);
            String version = packageVersion(python, "moto");
            return new LocalAws(Backend.MOTO, endpoint, Region.US_EAST_1, testCredentials(),
                    "moto " + version + " at " + endpoint + (stateFile == null ? "" : ", state in " + stateFile), () -> {
                        if (stateFile != null) {
                            process.destroyForcibly();
                            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                            return;
                        }
                        process.destroy();
                        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                            process.destroyForcibly();
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("could not start moto", e);
        }
    }

    /** A bundled Python script running, and the file its output goes to. */
    private record Launched(Process process, Path log) {
    }

    /** Copies the bundled script {@code resource} to a temporary file and runs it with {@code python} and {@code args}. */
    private static Launched launch(Path python, String resource, String prefix, java.util.List<String> args)
            throws IOException {
        Path script = Files.createTempFile(prefix, ".py");
        script.toFile().deleteOnExit();
        try (InputStream in = Objects.requireNonNull(LocalAws.class.getResourceAsStream(resource),
                resource + " resource")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = Files.createTempFile(prefix, ".log");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(python.toString(), script.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Launched(process, log);
    }

    /**
     * MiniStack from {@code .venv-ministack} (see {@code infra/bin/backend.sh ministack}), on a free loopback port.
     * DynamoDB, Streams, SQS and SNS on one endpoint, like moto.
     */
    public static LocalAws startMiniStack() {
        Path python = venvPython(".venv-ministack", "nosqles.ministack.venv", "NOSQLES_MINISTACK_VENV",
                "infra/bin/backend.sh ministack (or make test BACKEND=ministack)");
        int port = freePort();
        try {
            Launched launched = launch(python, "serve_ministack.py", "nosqles-ministack-",
                    java.util.List.of("127.0.0.1", String.valueOf(port)));
            Process process = launched.process();
            Path log = launched.log();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            awaitReady(endpoint, process, log, "/_ministack/health", "MiniStack");
            String version = packageVersion(python, "ministack");
            return new LocalAws(Backend.MINISTACK, endpoint, Region.US_EAST_1, testCredentials(),
                    "MiniStack " + version + " at " + endpoint, () -> {
                        process.destroy();
                        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                            process.destroyForcibly();
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("could not start MiniStack", e);
        }
    }

    static LocalAws endpoint(URI endpoint, Map<String, String> env) {
        String regionName = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        AwsCredentialsProvider credentials = env.containsKey("AWS_ACCESS_KEY_ID") || env.containsKey("AWS_PROFILE")
                ? DefaultCredentialsProvider.builder().build()
                : testCredentials();
        return new LocalAws(Backend.ENDPOINT, endpoint, Region.of(regionName), credentials,
                "endpoint " + endpoint, () -> { });
    }

    static LocalAws of(Backend backend, URI endpoint, Region region, String description, AutoCloseable stopper) {
        return new LocalAws(backend, endpoint, region, testCredentials(), description, stopper);
    }

    /**
     * This AWS reached through another endpoint, such as a proxy in front of it (see
     * {@code dev.nosqles.localaws.faults.FaultProxy}): same backend, region and credentials. Closing the result
     * stops nothing.
     */
    public LocalAws through(URI proxyEndpoint, String proxyDescription) {
        return new LocalAws(backend, Objects.requireNonNull(proxyEndpoint, "proxyEndpoint"), region, credentials,
                Objects.requireNonNull(proxyDescription, "proxyDescription"), () -> { });
    }

    public Backend backend() {
        return backend;
    }

    /** The backend's endpoint: where every service without an endpoint of its own goes. */
    public URI endpoint() {
        return endpoint;
    }

    /** Where {@code service} goes: its own endpoint if one was configured, else {@link #endpoint()}. */
    public URI endpoint(AwsService service) {
        return serviceEndpoints.getOrDefault(service, endpoint);
    }

    /**
     * {@code AWS_ENDPOINT_URL_<ID>} for every {@link AwsService}: the environment of a process (a Lambda function
     * under the runtime interface client, say) whose SDK clients should use this AWS.
     */
    public Map<String, String> endpointVariables() {
        Map<String, String> variables = new java.util.LinkedHashMap<>();
        for (AwsService service : AwsService.values()) {
            variables.put(service.environmentVariable(), endpoint(service).toString());
        }
        return variables;
    }

    /** {@code aws.endpointUrl<Id>} for every {@link AwsService}: the same, as system properties of this JVM. */
    public Map<String, String> endpointProperties() {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        for (AwsService service : AwsService.values()) {
            properties.put(service.systemProperty(), endpoint(service).toString());
        }
        return properties;
    }

    public Region region() {
        return region;
    }

    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    /** For reports and logs, e.g. "moto 5.2.5 at http://127.0.0.1:40123". */
    public String description() {
        return description;
    }

    /** Points any SDK v2 client builder at this backend (at the service's own endpoint where it has one). */
    public <B extends AwsClientBuilder<B, C>, C> B configure(B builder) {
        URI target = AwsService.ofBuilder(builder).map(this::endpoint).orElse(endpoint);
        return builder.endpointOverride(target).region(region).credentialsProvider(credentials);
    }

    /** A new DynamoDB client on the URL-connection HTTP client. */
    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** Clears all of moto's state (moto only). */
    public void reset() {
        if (backend != Backend.MOTO) {
            throw new UnsupportedOperationException("reset is only available on moto");
        }
        post(endpoint.resolve("/moto-api/reset"));
    }

    @Override
    public void close() {
        try {
            stopper.close();
        } catch (Exception e) {
            // best effort
        }
    }

    private static AwsCredentialsProvider testCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    static Path venvPython() {
        return venvPython(".venv", "nosqles.venv", "NOSQLES_VENV", "make venv (or make test, which creates it)");
    }

    /** The Python of a virtualenv: the system property, else the variable, else {@code dirName} here or above. */
    static Path venvPython(String dirName, String property, String variable, String howToCreate) {
        String configured = System.getProperty(property, System.getenv(variable));
        if (configured != null && !configured.isBlank()) {
            Path python = Path.of(configured, "bin", "python");
            if (Files.isExecutable(python)) {
                return python;
            }
            throw new IllegalStateException("No Python at " + python + ": run " + howToCreate);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path python = dir.resolve(dirName).resolve("bin/python");
            if (Files.isExecutable(python)) {
                return python;
            }
        }
        throw new IllegalStateException("No virtualenv " + dirName + " found here or above: run " + howToCreate);
    }

    private static String packageVersion(Path python, String distribution) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c",
                    "import importlib.metadata as m; print(m.version('" + distribution + "'))")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitReady(URI endpoint, Process process, Path log) throws IOException {
        awaitReady(endpoint, process, log, "/moto-api/data.json", "moto");
    }

    private static void awaitReady(URI endpoint, Process process, Path log, String path, String name)
            throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(endpoint.resolve(path)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not answer within 60 s:\n" + Files.readString(log));
    }

    private static void post(URI uri) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("POST " + uri + " answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean dockerReachable(Map<String, String> env) {
        if (env.containsKey("DOCKER_HOST")) {
            return true;
        }
        return Files.exists(Path.of("/var/run/docker.sock"));
    }
}
