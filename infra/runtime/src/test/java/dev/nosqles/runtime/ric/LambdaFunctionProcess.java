package dev.nosqles.runtime.ric;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Lambda function as the managed Java runtime runs it: a JVM started with the real runtime interface client's
 * main class ({@code com.amazonaws.services.lambda.runtime.api.client.AWSLambda}) and the template's handler string
 * as its argument, the function's environment and nothing else, its task root an empty directory. The client loads
 * the handler through its no-argument constructor, deserialises each event with its own serialisation library and
 * serialises the answer, as in AWS.
 */
final class LambdaFunctionProcess implements AutoCloseable {
    private static final Duration INVOKE_TIMEOUT = Duration.ofSeconds(60);
    /** The client's switch for a JNI library of one's own instead of the one it unpacks. */
    private static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static Path jniLibrary;

    private final String name;
    private final RuntimeApiServer api;
    private final Process process;
    private final Path log;

    private LambdaFunctionProcess(String name, RuntimeApiServer api, Process process, Path log) {
        this.name = name;
        this.api = api;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the function.
     *
     * @param name        the function's name (for its ARN and log)
     * @param handler     the template's {@code Handler}, e.g. {@code dev.nosqles.app.api.ApiHandler::handleRequest}
     * @param environment the variables the template and Lambda give it (endpoints and credentials included)
     * @param snapStart   init as a SnapStart function: the client runs its checkpoint hooks, then asks
     *                    {@code restore/next}
     */
    static LambdaFunctionProcess start(String name, String handler, Map<String, String> environment, boolean snapStart) {
        RuntimeApiServer api = new RuntimeApiServer("arn:aws:lambda:us-east-1:123456789012:function:" + name);
        try {
            Path taskRoot = Files.createTempDirectory("lambda-task-");
            Path log = Files.createTempFile("lambda-" + name + "-", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // the template's JAVA_TOOL_OPTIONS as arguments: the same flags, without the JVM's "Picked up" line
            String toolOptions = environment.getOrDefault("JAVA_TOOL_OPTIONS", "").trim();
            if (!toolOptions.isEmpty()) {
                command.addAll(List.of(toolOptions.split("\\s+")));
            }
            command.addAll(List.of("-D" + JNI_PROPERTY + "=" + jniLibrary(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(taskRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            Map<String, String> lambda = new LinkedHashMap<>();
            lambda.put("AWS_LAMBDA_RUNTIME_API", api.address());
            lambda.put("_HANDLER", handler);
            lambda.put("LAMBDA_TASK_ROOT", taskRoot.toString());
            lambda.put("AWS_LAMBDA_FUNCTION_NAME", name);
            lambda.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
            lambda.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
            lambda.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
            lambda.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/30/[1]0123456789abcdef");
            lambda.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
            if (snapStart) {
                lambda.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
            }
            env.putAll(lambda);
            env.putAll(environment);
            env.remove("JAVA_TOOL_OPTIONS"); // given as arguments above
            return new LambdaFunctionProcess(name, api, builder.start(), log);
        } catch (IOException e) {
            api.close();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The client's JNI library, unpacked once for every function of this JVM. Left to itself, each client copies
     * it to the same {@code /tmp/.libaws-lambda-jni.so} while the others may be loading it: a JVM started beside
     * another crashes with SIGBUS. In Lambda there is one runtime per sandbox, so the fixed path is harmless there.
     */
    static synchronized Path jniLibrary() throws IOException {
        if (jniLibrary == null) {
            String arch = System.getProperty("os.arch");
            String name = arch.equals("aarch64") ? "libaws-lambda-jni.linux-aarch_64.so" : "libaws-lambda-jni.linux-x86_64.so";
            Path file = Files.createTempFile("libaws-lambda-jni-", ".so");
            file.toFile().deleteOnExit();
            try (var in = LambdaFunctionProcess.class.getResourceAsStream("/jni/" + name)) {
                Files.copy(java.util.Objects.requireNonNull(in, name), file,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            jniLibrary = file;
        }
        return jniLibrary;
    }

    /** The runtime API the client talks to. */
    RuntimeApiServer api() {
        return api;
    }

    /** Hands the client one event and waits for its answer (response or reported error). */
    RuntimeApiServer.Answer invoke(String event) {
        return await(api.submit(event), "answer");
    }

    /** Waits until the client asked {@code restore/next} (a SnapStart init ran its checkpoint hooks). */
    void awaitRestore() {
        await(api.restoreRequested(), "ask restore/next");
    }

    private <T> T await(java.util.concurrent.Future<T> future, String what) {
        long deadline = System.nanoTime() + INVOKE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return future.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        throw new IllegalStateException(name + " did not " + what + " within " + INVOKE_TIMEOUT + ":\n" + output());
    }

    /** What the function wrote to stdout and stderr. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getClass().getSimpleName() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        api.close();
    }
}
