package dev.nosqles.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, for the console's browser test: found or installed by {@code infra/bin/chromium.sh}
 * (the project's own setup, as {@code make test} calls it). A browser that cannot be found or installed fails the
 * test with the script's message; it is never skipped.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;

    private final Path binary;
    private final Path profiles;

    private HeadlessChromium(Path binary, Path profiles) {
        this.binary = binary;
        this.profiles = profiles;
    }

    /** The browser infra/bin/chromium.sh names (installing it when missing). */
    static HeadlessChromium find(Path workDir) {
        return find(workDir, java.util.Map.of());
    }

    /** {@link #find(Path)} with these environment variables set for the script (CHROMIUM, PATH). */
    static HeadlessChromium find(Path workDir, java.util.Map<String, String> environment) {
        Path script = LocalRuntime.findTemplate().toAbsolutePath().getParent().resolve("infra/bin/chromium.sh");
        Run run = run(List.of("bash", script.toString()), 900, environment);
        String path = run.stdout().strip();
        if (run.exitCode() != 0 || path.isEmpty() || !Files.isExecutable(Path.of(path))) {
            throw new AssertionError("the console's browser test needs Chromium, and infra/bin/chromium.sh could not "
                    + "find or install it (exit " + run.exitCode() + "): " + run.stderr().strip()
                    + " -- install it with 'apt-get install -y chromium' or set CHROMIUM=<path>");
        }
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new AssertionError("cannot create " + workDir, e);
        }
        return new HeadlessChromium(Path.of(path), workDir);
    }

    Path binary() {
        return binary;
    }

    /** The DOM after the page's scripts ran for {@code virtualMillis} of virtual time. */
    String dumpDom(String url, int virtualMillis) {
        Run run = chromium(List.of("--virtual-time-budget=" + virtualMillis, "--dump-dom", url));
        if (run.exitCode() != 0 || run.stdout().isBlank()) {
            throw new AssertionError("chromium --dump-dom " + url + " failed (exit " + run.exitCode() + "): "
                    + tail(run.stderr()));
        }
        try { // kept beside the screenshots, for a look when an assertion fails
            Files.writeString(profiles.resolve("dom-" + Integer.toHexString(url.hashCode()) + ".html"), run.stdout());
        } catch (IOException e) {
            // only a copy
        }
        return run.stdout();
    }

    /** A PNG of the page after {@code virtualMillis} of virtual time, written to {@code file}. */
    Path screenshot(String url, int virtualMillis, Path file, int width, int height) {
        Run run = chromium(List.of("--virtual-time-budget=" + virtualMillis, "--hide-scrollbars",
                "--window-size=" + width + "," + height, "--screenshot=" + file.toAbsolutePath(), url));
        if (run.exitCode() != 0 || !Files.isRegularFile(file)) {
            throw new AssertionError("chromium --screenshot " + url + " failed (exit " + run.exitCode() + "): "
                    + tail(run.stderr()));
        }
        return file;
    }

    private Run chromium(List<String> args) {
        Path profile;
        try {
            profile = Files.createTempDirectory(profiles, "profile-");
        } catch (IOException e) {
            throw new AssertionError("cannot create a browser profile under " + profiles, e);
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--user-data-dir=" + profile));
        command.addAll(args);
        try {
            return run(command, TIMEOUT_SECONDS, java.util.Map.of());
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a profile left in target/ is harmless
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 2000 ? t : "..." + t.substring(t.length() - 2000);
    }

    record Run(int exitCode, String stdout, String stderr) {
    }

    private static Run run(List<String> command, long timeoutSeconds, java.util.Map<String, String> environment) {
        try {
            Path out = Files.createTempFile("chromium-", ".out");
            Path err = Files.createTempFile("chromium-", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds
                            + " s");
                }
                return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command.getFirst(), e);
        }
    }
}
