package dev.nosqles.app.readmodel;

import dev.nosqles.app.Application;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.projection.Projection;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.store.EventStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * The reference application's read models, wired from a function's {@link FunctionEnvironment}: READ_MODELS_TABLE (rows; without
 * it a function runs without read models),
 * CHECKPOINTS_TABLE (registry and checkpoints), EVENTS_TABLE (rebuilds) and, where pages are served,
 * CURSOR_SIGNING_KEY: the secret that signs page cursors, at least {@value #MIN_KEY_LENGTH} characters (template.yaml
 * generates 64 letters and digits in Secrets Manager; the local runtime a random one per start).
 */
public final class ReadModelWiring {
    public static final String READ_MODELS_TABLE = "READ_MODELS_TABLE";
    public static final String CHECKPOINTS_TABLE = "CHECKPOINTS_TABLE";
    public static final String CURSOR_SIGNING_KEY = "CURSOR_SIGNING_KEY";
    /** 43 letters and digits carry at least 256 bits when drawn at random. */
    public static final int MIN_KEY_LENGTH = 43;

    private ReadModelWiring() {
    }

    /** Whether the environment names a read-models table (template.yaml does for the API and stream functions). */
    public static boolean configured(FunctionEnvironment env) {
        return env.isSet(READ_MODELS_TABLE);
    }

    /**
     * Checks the variables {@link #fromEnvironment} reads, without building anything: a function whose read models
     * are built on first use ({@link OrderQueries#lazy}) still fails its start when one is missing.
     *
     * @throws IllegalStateException a variable is missing, or the key is too short
     */
    public static void check(FunctionEnvironment env, boolean signsCursors) {
        env.required(READ_MODELS_TABLE);
        env.required(CHECKPOINTS_TABLE);
        env.required(Application.EVENTS_TABLE);
        if (signsCursors) {
            cursorKey(env);
        }
    }

    /** Every projection of the application. */
    public static List<Projection<?>> projections() {
        return List.of(OrderSummaries.projection());
    }

    /**
     * @param signsCursors the function serves pages (the API): CURSOR_SIGNING_KEY is required; the stream function
     *                     issues no cursor and gets a random key it never uses
     * @throws IllegalStateException a variable is missing, or the key is too short
     */
    public static DynamoDbReadModels fromEnvironment(FunctionEnvironment env, EventStore events, Clock clock,
                                                     boolean signsCursors) {
        return DynamoDbReadModels.builder()
                .client(env.dynamoDb())
                .readModelsTable(env.required(READ_MODELS_TABLE))
                .checkpointsTable(env.required(CHECKPOINTS_TABLE))
                .eventsTable(env.required(Application.EVENTS_TABLE))
                .eventStore(events)
                .projections(projections())
                .clock(clock)
                .cursorKey(signsCursors ? cursorKey(env) : randomKey())
                .build();
    }

    static byte[] cursorKey(FunctionEnvironment env) {
        String key = env.required(CURSOR_SIGNING_KEY);
        if (key.length() < MIN_KEY_LENGTH) {
            throw new IllegalStateException("environment variable " + CURSOR_SIGNING_KEY + " must be at least "
                    + MIN_KEY_LENGTH + " characters");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
