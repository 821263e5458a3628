package dev.nosqles.lambda;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on first use and then shared, under a lock of its own: two {@code Once} are built on two threads at
 * the same time (the API function builds its KMS client on a thread of its own while the init thread builds the
 * DynamoDB client, ADR 0020). A build that throws leaves nothing behind: the next use builds again.
 */
final class Once<T> {
    private final Supplier<T> build;
    private volatile T value;

    Once(Supplier<T> build) {
        this.build = Objects.requireNonNull(build, "build");
    }

    T get() {
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
