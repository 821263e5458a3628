package dev.nosqles.lambda.internal;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on first use and then shared, under a lock of its own: two {@code Once} are built on two threads at
 * the same time (the API function builds its KMS client on a thread of its own while the init thread builds the
 * DynamoDB client, ADR 0020). A build that throws leaves nothing behind: the next use builds again; a build that
 * returns null fails with a {@link NullPointerException}. Used by {@code FunctionEnvironment}'s clients and the
 * API's read-model queries, built on the first query.
 */
public final class Once<T> {
    private final Supplier<T> build;
    private volatile T value;

    public Once(Supplier<T> build) {
        this.build = Objects.requireNonNull(build, "build");
    }

    public T get() {
        T built = value;
        if (built == null) {
            synchronized (this) {
                built = value;
                if (built == null) {
                    built = Objects.requireNonNull(build.get(), "built");
                    value = built;
                }
            }
        }
        return built;
    }
}
