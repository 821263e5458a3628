package dev.nosqles.privacy.memory;

import dev.nosqles.privacy.SubjectKeys;
import java.util.Optional;

/** Subject keys in memory, for unit tests and fixtures: real AES-GCM, keys in a map, forget removes one. */
public final class InMemorySubjectKeys implements SubjectKeys {
    @Override
    public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public ForgetOutcome forget(String subject) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public boolean isForgotten(String subject) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }
}
