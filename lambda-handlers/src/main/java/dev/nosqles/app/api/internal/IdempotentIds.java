package dev.nosqles.app.api.internal;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The id of an aggregate a POST creates: derived from the {@code Idempotency-Key} (a name-based UUID of
 * {@code <kind>:<key>}) so a retry addresses the same stream and finds it created; random without a key.
 */
public final class IdempotentIds {
    private IdempotentIds() {
    }

    public static String forCreate(String kind, String idempotencyKey, Supplier<String> random) {
        if (idempotencyKey == null) {
            return random.get();
        }
        return UUID.nameUUIDFromBytes((kind + ":" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
