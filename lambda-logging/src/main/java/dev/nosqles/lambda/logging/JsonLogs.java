package dev.nosqles.lambda.logging;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.event.Level;

/**
 * The levels of the JSON log lines ({@link JsonLogsProvider}). A logger's level is the one set for the longest
 * prefix of its name (a prefix ends at a dot or is the whole name), else the root level.
 *
 * <p>At start: the root level from {@value #LEVEL_VARIABLE} (Powertools' name, kept so a function's configuration
 * is the same), else {@value #LAMBDA_LEVEL_VARIABLE} (Lambda's advanced logging controls), else INFO; and, when
 * the root level is INFO, the AWS SDK ({@value #AWS_SDK}) at WARN (it logs every request at DEBUG; at DEBUG and
 * TRACE it logs at the root level, and at WARN or ERROR it is as quiet as everything else).
 *
 * <p>Levels are process-wide, as SLF4J's logger factory is: set them at start or in a test (and {@link #reset()}
 * after it), not per request.
 */
public final class JsonLogs {
    public static final String LEVEL_VARIABLE = "POWERTOOLS_LOG_LEVEL";
    public static final String LAMBDA_LEVEL_VARIABLE = "AWS_LAMBDA_LOG_LEVEL";
    public static final String AWS_SDK = "software.amazon.awssdk";

    private static final String ROOT = "";
    private static final Map<String, Level> LEVELS = new ConcurrentHashMap<>();
    /** Bumped by every change: a logger caches its level until the next one. */
    private static volatile int generation;

    static {
        configure(System::getenv);
    }

    private JsonLogs() {
    }

    /**
     * Sets the level of a logger name and every name below it ({@code software.amazon.awssdk} covers
     * {@code software.amazon.awssdk.request}); the empty name is the root.
     */
    public static synchronized void setLevel(String prefix, Level level) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(level, "level");
        LEVELS.put(prefix, level);
        generation++;
    }

    /** Sets the root level (every logger without a level of its own). */
    public static void setRootLevel(Level level) {
        setLevel(ROOT, level);
    }

    /** The level a logger of this name logs at. */
    public static Level level(String name) {
        String prefix = name;
        while (true) {
            Level level = LEVELS.get(prefix);
            if (level != null) {
                return level;
            }
            if (prefix.isEmpty()) {
                return Level.INFO;
            }
            int dot = prefix.lastIndexOf('.');
            prefix = dot < 0 ? ROOT : prefix.substring(0, dot);
        }
    }

    /** Back to the levels read from the environment at start. */
    public static void reset() {
        configure(System::getenv);
    }

    /**
     * Replaces every level with those of an environment (see the class comment); a value that names no level is
     * ignored.
     */
    static synchronized void configure(Function<String, String> env) {
        Level root = parse(env.apply(LEVEL_VARIABLE));
        if (root == null) {
            root = parse(env.apply(LAMBDA_LEVEL_VARIABLE));
        }
        LEVELS.clear();
        Level rootLevel = root == null ? Level.INFO : root;
        LEVELS.put(ROOT, rootLevel);
        if (rootLevel == Level.INFO) {
            LEVELS.put(AWS_SDK, Level.WARN);
        }
        generation++;
    }

    /** A level name (any case; FATAL reads as ERROR, as Lambda's levels include it), or null when blank or unknown. */
    static Level parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String name = value.strip().toUpperCase(Locale.ROOT);
        if (name.equals("FATAL")) {
            return Level.ERROR;
        }
        for (Level level : Level.values()) {
            if (level.name().equals(name)) {
                return level;
            }
        }
        return null;
    }

    static int generation() {
        return generation;
    }
}
