package dev.nosqles.app.readmodel;

import dev.nosqles.app.Application;
import dev.nosqles.projection.Projection;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.store.EventStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The reference application's read models, wired from a function's environment: READ_MODELS_TABLE (rows; without
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
    public static boolean configured(Function<String, String> env) {
        String table = env.apply(READ_MODELS_TABLE);
        return table != null && !table.isBlank();
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
    public static DynamoDbReadModels fromEnvironment(Function<String, String> env, DynamoDbClient client,
                                                     EventStore events, Clock clock, boolean signsCursors) {
        return DynamoDbReadModels.builder()
                .client(client)
                .readModelsTable(Application.required(env, READ_MODELS_TABLE))
                .checkpointsTable(Application.required(env, CHECKPOINTS_TABLE))
                .eventsTable(Application.required(env, Application.EVENTS_TABLE))
                .eventStore(events)
                .projections(projections())
                .clock(clock)
                .cursorKey(signsCursors ? cursorKey(env) : randomKey())
                .build();
    }

    static byte[] cursorKey(Function<String, String> env) {
        String key = Application.required(env, CURSOR_SIGNING_KEY);
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
