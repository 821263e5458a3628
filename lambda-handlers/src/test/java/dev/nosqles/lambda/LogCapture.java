package dev.nosqles.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the functions write to stdout (their CloudWatch log) while a block runs: the JSON log lines and the EMF
 * lines. The functions' SLF4J provider writes to the current {@code System.out}, EMF lines go to it.
 */
public final class LogCapture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream original = System.out;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private LogCapture() {
        System.setOut(new PrintStream(new TeeStream(original, bytes), true, StandardCharsets.UTF_8));
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    /** Every line written so far. */
    public synchronized List<String> lines() {
        System.out.flush();
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The JSON log lines (not EMF). */
    public List<JsonNode> logs() {
        return json().stream().filter(n -> !n.has("_aws")).toList();
    }

    /** The EMF lines. */
    public List<JsonNode> metrics() {
        return json().stream().filter(n -> n.has("_aws")).toList();
    }

    private List<JsonNode> json() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines()) {
            if (line.startsWith("{")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (java.io.IOException e) {
                    throw new AssertionError("a log line that is not one JSON object: " + line, e);
                }
            }
        }
        return out;
    }

    /** The sum of one EMF metric over every EMF line. */
    public long metric(String name) {
        long sum = 0;
        for (JsonNode line : metrics()) {
            if (line.has(name)) {
                sum += line.get(name).asLong();
            }
        }
        return sum;
    }

    @Override
    public void close() {
        System.setOut(original);
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
        }
    }
}
