package dev.nosqles.app;

import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import dev.nosqles.privacy.SubjectKeys;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Subject keys built, and their key-encryption key unwrapped, on a daemon thread started during a function's init
 * (ADR 0020): Lambda runs init with burst CPU, so the KMS client's construction and the key's {@code GetItem} and KMS
 * {@code Decrypt} overlap the rest of init instead of delaying the first request. The first use waits for the keys'
 * construction (a use that needs the key-encryption key also for its prefetch, on the keys' own lock); if the
 * construction failed (the KMS client could not be built), the keys are built on the caller's thread, so each use
 * meets the failure (the function's init no longer does). A prefetch that could not reach KMS or the table is left
 * to the first use ({@link DynamoDbKmsSubjectKeys#prefetchKeyEncryptionKey}).
 */
final class PrefetchingSubjectKeys implements SubjectKeys {
    private final Supplier<DynamoDbKmsSubjectKeys> build;
    private final CompletableFuture<DynamoDbKmsSubjectKeys> background = new CompletableFuture<>();
    private volatile DynamoDbKmsSubjectKeys keys;

    private PrefetchingSubjectKeys(Supplier<DynamoDbKmsSubjectKeys> build) {
        this.build = Objects.requireNonNull(build, "build");
    }

    /** Starts building the keys and prefetching the key-encryption key on a daemon thread. */
    static PrefetchingSubjectKeys start(Supplier<DynamoDbKmsSubjectKeys> build) {
        PrefetchingSubjectKeys keys = new PrefetchingSubjectKeys(build);
        Thread thread = new Thread(keys::prefetch, "nosqles-subject-keys-prefetch");
        thread.setDaemon(true);
        thread.start();
        return keys;
    }

    private void prefetch() {
        DynamoDbKmsSubjectKeys built;
        try {
            built = build.get();
        } catch (Throwable failed) {
            background.completeExceptionally(failed);
            return;
        }
        // the keys are usable at once: a forget or a read of a forgotten subject never waits for KMS; an
        // encryption that needs the key-encryption key waits for this prefetch on the keys' own lock
        background.complete(built);
        built.prefetchKeyEncryptionKey();
    }

    /** The keys: the background thread's once it is done, else built here. */
    DynamoDbKmsSubjectKeys keys() {
        DynamoDbKmsSubjectKeys built = keys;
        if (built != null) {
            return built;
        }
        synchronized (this) {
            if (keys == null) {
                try {
                    keys = background.join();
                } catch (CompletionException failedInTheBackground) {
                    keys = build.get();
                }
            }
            return keys;
        }
    }

    @Override
    public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
        return keys().encrypt(subject, plaintext, aad);
    }

    @Override
    public byte[] encryptForNewSubject(String subject, byte[] plaintext, byte[] aad) {
        return keys().encryptForNewSubject(subject, plaintext, aad);
    }

    @Override
    public Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
        return keys().decrypt(subject, ciphertext, aad);
    }

    @Override
    public ForgetOutcome forget(String subject) {
        return keys().forget(subject);
    }

    @Override
    public boolean isForgotten(String subject) {
        return keys().isForgotten(subject);
    }

    @Override
    public Duration cacheTtl() {
        return keys().cacheTtl();
    }
}
