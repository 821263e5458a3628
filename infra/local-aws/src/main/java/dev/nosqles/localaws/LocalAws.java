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

    private LocalAws(Backend backend, URI endpoint, Region region, AwsCredentialsProvider credentials,
                     String description, AutoCloseable stopper) {
        this.backend = backend;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.description = description;
        this.stopper = stopper;
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

    /** Starts (or connects to) the backend the environment selects. */
    public static LocalAws start() {
        Map<String, String> env = System.getenv();
        Backend backend = Backend.decide(env, dockerReachable(env));
        return switch (backend) {
            case ENDPOINT -> endpoint(URI.create(env.get("AWS_ENDPOINT_URL")), env);
            case LOCALSTACK -> LocalStackLauncher.start(env);
            case MOTO -> startMoto();
        };
    }

    /** moto from the project's virtualenv, on a free loopback port. */
    public static LocalAws startMoto() {
        Path python = venvPython();
        int port = freePort();
        try {
            Path script = Files.createTempFile("nosqles-moto-", ".py");
            script.toFile().deleteOnExit();
            try (InputStream in = Objects.requireNonNull(
                    LocalAws.class.getResourceAsStream("serve_moto.py"), "serve_moto.py resource")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path log = Files.createTempFile("nosqles-moto-", ".log");
            Process process = new ProcessBuilder(python.toString(), script.toString(), "127.0.0.1", String.valueOf(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            awaitReady(endpoint, process, log);
            String version = motoVersion(python);
            return new LocalAws(Backend.MOTO, endpoint, Region.US_EAST_1, testCredentials(),
                    "moto " + version + " at " + endpoint, () -> {
                        process.destroy();
                        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                            process.destroyForcibly();
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("could not start moto", e);
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

    public URI endpoint() {
        return endpoint;
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

    /** Points any SDK v2 client builder at this backend. */
    public <B extends AwsClientBuilder<B, C>, C> B configure(B builder) {
        return builder.endpointOverride(endpoint).region(region).credentialsProvider(credentials);
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
        String configured = System.getProperty("nosqles.venv", System.getenv("NOSQLES_VENV"));
        if (configured != null && !configured.isBlank()) {
            Path python = Path.of(configured, "bin", "python");
            if (Files.isExecutable(python)) {
                return python;
            }
            throw new IllegalStateException("No Python at " + python
                    + ": run 'make venv' (or 'make test', which creates it) to install the pinned moto");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path python = dir.resolve(".venv/bin/python");
            if (Files.isExecutable(python)) {
                return python;
            }
        }
        throw new IllegalStateException(
                "No project virtualenv (.venv) found: run 'make venv' (or 'make test') to install the pinned moto");
    }

    private static String motoVersion(Path python) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import moto; print(moto.__version__)")
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
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto", e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("moto did not answer within 60 s:\n" + Files.readString(log));
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
