package dev.nosqles.privacy;

import java.time.Duration;
import java.util.Optional;

/**
 * One data key per subject, and forgetting it (crypto-shredding, ADR 0008). Implementations keep the keys to
 * themselves: callers encrypt and decrypt through them.
 */
public interface SubjectKeys {
    /**
     * Encrypts with the subject's key (AES-GCM, a fresh nonce), creating the key on first use.
     *
     * @param aad bound to the ciphertext (for example the field it belongs to)
     * @throws SubjectForgottenException the subject was forgotten: no new personal data of it is written
     * @throws KeyServiceUnavailableException the key service could not be reached
     */
    byte[] encrypt(String subject, byte[] plaintext, byte[] aad);

    /**
     * {@link #encrypt}, when the caller expects the subject to have no key yet: its first personal data, such as the
     * event that creates the aggregate the subject is ({@code SubjectOf.stream()}). An implementation may then store
     * a new key at once and take the existing one only when that write finds one, instead of reading first. The
     * outcome is {@link #encrypt}'s whether or not the expectation holds (an existing key is used, a forgotten
     * subject refused); only the cost differs. By default it is {@link #encrypt}.
     *
     * @throws SubjectForgottenException the subject was forgotten: no new personal data of it is written
     * @throws KeyServiceUnavailableException the key service could not be reached
     */
    default byte[] encryptForNewSubject(String subject, byte[] plaintext, byte[] aad) {
        return encrypt(subject, plaintext, aad);
    }

    /**
     * Decrypts with the subject's key.
     *
     * @return empty when the subject was forgotten (its tombstone: only that means forgotten)
     * @throws SubjectKeyMissingException the subject has neither a key nor a tombstone: never mistaken for forgotten
     * @throws KeyServiceUnavailableException the key service could not be reached: never mistaken for forgotten
     */
    Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad);

    /** Deletes the subject's key and records that it was forgotten (no personal data); idempotent. */
    ForgetOutcome forget(String subject);

    /** True once the subject was forgotten. */
    boolean isForgotten(String subject);

    /**
     * How long other processes may still decrypt with a key they cached before a forget (their cache period): a
     * forget is complete everywhere within it. Zero: no key is cached across processes.
     */
    default Duration cacheTtl() {
        return Duration.ZERO;
    }

    /** What {@link #forget} did. */
    enum ForgetOutcome { FORGOTTEN, ALREADY_FORGOTTEN }
}
