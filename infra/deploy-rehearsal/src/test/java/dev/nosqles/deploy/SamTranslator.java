package dev.nosqles.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The SAM translator (PyPI {@code aws-sam-translator}, from the project's virtualenv) run offline on a template, as
 * CloudFormation runs it on {@code sam deploy}: {@code sam_transform.py} prints the transformed template as JSON.
 */
final class SamTranslator {
    static final ObjectMapper JSON = new ObjectMapper();

    private SamTranslator() {
    }

    /** The repository's template.yaml (the build passes its path; else found upwards from the working directory). */
    static Path projectTemplate() {
        String configured = System.getProperty("nosqles.template");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return upwards("template.yaml");
    }

    /**
     * @param codeUri what every function's CodeUri becomes (an s3:// URI, as {@code sam package} writes)
     */
    static JsonNode transform(Path template, String codeUri) {
        try {
            Path script = Files.createTempFile("nosqles-sam-transform-", ".py");
            try (InputStream in = Objects.requireNonNull(
                    SamTranslator.class.getResourceAsStream("sam_transform.py"), "sam_transform.py resource")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path errors = Files.createTempFile("nosqles-sam-transform-", ".err");
            Process process = new ProcessBuilder(venvPython().toString(), script.toString(), template.toString(),
                    codeUri, "us-east-1")
                    .redirectError(errors.toFile())
                    .start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("the SAM translator failed on " + template + ":\n"
                        + Files.readString(errors));
            }
            Files.deleteIfExists(script);
            Files.deleteIfExists(errors);
            return JSON.readTree(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path venvPython() {
        String configured = System.getProperty("nosqles.venv", System.getenv("NOSQLES_VENV"));
        Path venv = configured != null && !configured.isBlank() ? Path.of(configured) : upwards(".venv");
        Path python = venv.resolve("bin/python");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("No Python at " + python + ": run 'make venv' (aws-sam-cli brings the "
                    + "SAM translator, infra/tooling/requirements.txt)");
        }
        return python;
    }

    private static Path upwards(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new IllegalStateException(name + " not found above " + Path.of("").toAbsolutePath());
    }
}
