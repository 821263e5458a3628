package dev.nosqles.app.api.internal;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What an {@code Idempotency-Key} becomes. A key is scoped by the caller (the principal) and the operation:
 * <ul>
 *   <li>the id of an aggregate a POST creates is a name-based UUID of the operation, the principal and the key,
 *       so a retry addresses the same stream and finds it created, and the same key from another caller makes
 *       another resource (one caller's key never answers another caller's resource); random without a key;</li>
 *   <li>the message id stored with the commit is {@code <operation>:<key>:<principal's UUID>}, so the same key
 *       sent for another operation, or by another caller, is never taken for a duplicate.</li>
 * </ul>
 */
public final class IdempotentIds {
    /** The operations an Idempotency-Key can be given for. */
    public enum Operation {
        CREATE_CUSTOMER("create-customer"),
        CREATE_ORDER("create-order"),
        CANCEL_ORDER("cancel-order"),
        FORGET_CUSTOMER("forget-customer");

        private final String label;

        Operation(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private IdempotentIds() {
    }

    /** The id of the aggregate a create makes: derived from operation, principal and key; random without a key. */
    public static String forCreate(Operation operation, String principal, String idempotencyKey,
                                   Supplier<String> random) {
        if (idempotencyKey == null) {
            return random.get();
        }
        return uuid(operation.label() + ":" + principal.length() + ":" + principal + ":" + idempotencyKey);
    }

    /** The message id of a request with a key (null without one). */
    public static String messageId(Operation operation, String principal, String idempotencyKey) {
        if (idempotencyKey == null) {
            return null;
        }
        return operation.label() + ":" + idempotencyKey + ":" + uuid("principal:" + principal);
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
