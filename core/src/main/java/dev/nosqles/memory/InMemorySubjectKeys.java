package dev.nosqles.memory;

import dev.nosqles.privacy.SubjectForgottenException;
import dev.nosqles.privacy.SubjectKeyMissingException;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.privacy.internal.Aead;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Subject keys in memory, for unit tests and fixtures: real AES-GCM, keys in a map, forget removes one. */
public final class InMemorySubjectKeys implements SubjectKeys {
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private final Set<String> forgotten = ConcurrentHashMap.newKeySet();

    @Override
    public synchronized byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
        if (forgotten.contains(subject)) {
            throw new SubjectForgottenException(subject);
        }
        return Aead.encrypt(keys.computeIfAbsent(subject, s -> Aead.newKey()), plaintext, aad);
    }

    @Override
    public Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
        byte[] key = keys.get(subject);
        if (key != null) {
            return Optional.of(Aead.decrypt(key, ciphertext, aad));
        }
        if (forgotten.contains(subject)) {
            return Optional.empty();
        }
        throw new SubjectKeyMissingException(subject);
    }

    @Override
    public synchronized ForgetOutcome forget(String subject) {
        keys.remove(subject);
        return forgotten.add(subject) ? ForgetOutcome.FORGOTTEN : ForgetOutcome.ALREADY_FORGOTTEN;
    }

    @Override
    public boolean isForgotten(String subject) {
        return forgotten.contains(subject);
    }
}
