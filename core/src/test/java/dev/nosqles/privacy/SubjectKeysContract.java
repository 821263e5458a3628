package dev.nosqles.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link SubjectKeys} does; the in-memory keys and the DynamoDB+KMS keys both pass it. */
abstract class SubjectKeysContract {
    /** Fresh keys (no subject known). */
    abstract SubjectKeys keys();

    /**
     * The keys {@code keys} keeps, as another process with an empty cache sees them; {@code keys} itself when they
     * live in its memory only.
     */
    SubjectKeys elsewhere(SubjectKeys keys) {
        return keys;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String subject() {
        return "c-" + UUID.randomUUID();
    }

    @Test
    void what_is_encrypted_for_a_subject_decrypts_with_the_same_aad_only() {
        SubjectKeys keys = keys();
        String s = subject();
        byte[] sealed = keys.encrypt(s, bytes("Ann"), bytes("name"));

        // the plaintext as a run of bytes (doesNotContain(byte[]) would refuse any one of its bytes: flaky)
        assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Ann");
        assertThat(keys.decrypt(s, sealed, bytes("name"))).hasValueSatisfying(p -> assertThat(p).isEqualTo(bytes("Ann")));
        assertThatThrownBy(() -> keys.decrypt(s, sealed, bytes("email"))).isInstanceOf(IllegalArgumentException.class);
        // a fresh nonce each time
        assertThat(keys.encrypt(s, bytes("Ann"), bytes("name"))).isNotEqualTo(sealed);
    }

    @Test
    void each_subject_has_its_own_key() {
        SubjectKeys keys = keys();
        String a = subject();
        String b = subject();
        byte[] sealed = keys.encrypt(a, bytes("Ann"), bytes("name"));
        keys.encrypt(b, bytes("Bob"), bytes("name"));

        assertThatThrownBy(() -> keys.decrypt(b, sealed, bytes("name"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forgetting_makes_everything_of_the_subject_undecryptable_and_refuses_new_data() {
        SubjectKeys keys = keys();
        String s = subject();
        String other = subject();
        byte[] sealed = keys.encrypt(s, bytes("Ann"), bytes("name"));
        byte[] kept = keys.encrypt(other, bytes("Bob"), bytes("name"));

        assertThat(keys.forget(s)).isEqualTo(SubjectKeys.ForgetOutcome.FORGOTTEN);

        assertThat(keys.decrypt(s, sealed, bytes("name"))).isEmpty();
        assertThat(keys.isForgotten(s)).isTrue();
        assertThatThrownBy(() -> keys.encrypt(s, bytes("Ann"), bytes("name")))
                .isInstanceOf(SubjectForgottenException.class);
        assertThat(keys.forget(s)).isEqualTo(SubjectKeys.ForgetOutcome.ALREADY_FORGOTTEN);
        assertThat(keys.decrypt(other, kept, bytes("name"))).isPresent();
        assertThat(keys.isForgotten(other)).isFalse();
    }

    @Test
    void a_subject_expected_new_gets_a_key_that_encrypt_and_decrypt_then_use() {
        SubjectKeys keys = keys();
        String s = subject();
        byte[] first = keys.encryptForNewSubject(s, bytes("Ann"), bytes("name"));
        byte[] later = keys.encrypt(s, bytes("Ann B."), bytes("name"));

        assertThat(new String(first, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Ann");
        assertThat(keys.decrypt(s, first, bytes("name"))).hasValueSatisfying(p -> assertThat(p).isEqualTo(bytes("Ann")));
        assertThat(keys.decrypt(s, later, bytes("name")))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo(bytes("Ann B.")));
    }

    @Test
    void a_subject_wrongly_expected_new_keeps_the_key_it_has() {
        SubjectKeys keys = keys();
        String s = subject();
        byte[] before = keys.encrypt(s, bytes("Ann"), bytes("name"));

        byte[] after = elsewhere(keys).encryptForNewSubject(s, bytes("Bob"), bytes("name"));

        assertThat(keys.decrypt(s, before, bytes("name"))).hasValueSatisfying(p -> assertThat(p).isEqualTo(bytes("Ann")));
        assertThat(keys.decrypt(s, after, bytes("name"))).hasValueSatisfying(p -> assertThat(p).isEqualTo(bytes("Bob")));
    }

    @Test
    void a_forgotten_subject_expected_new_is_still_refused() {
        SubjectKeys keys = keys();
        String s = subject();
        keys.encrypt(s, bytes("Ann"), bytes("name"));
        keys.forget(s);
        String never = subject();
        keys.forget(never);

        SubjectKeys cold = elsewhere(keys);
        assertThatThrownBy(() -> cold.encryptForNewSubject(s, bytes("Ann"), bytes("name")))
                .isInstanceOf(SubjectForgottenException.class);
        assertThatThrownBy(() -> cold.encryptForNewSubject(never, bytes("Ann"), bytes("name")))
                .isInstanceOf(SubjectForgottenException.class);
        assertThatThrownBy(() -> keys.encryptForNewSubject(s, bytes("Ann"), bytes("name")))
                .isInstanceOf(SubjectForgottenException.class);
        assertThat(keys.isForgotten(s)).isTrue();
    }

    @Test
    void a_subject_never_seen_is_not_forgotten_and_can_be_forgotten_before_it_has_a_key() {
        SubjectKeys keys = keys();
        String s = subject();
        assertThat(keys.isForgotten(s)).isFalse();

        assertThat(keys.forget(s)).isEqualTo(SubjectKeys.ForgetOutcome.FORGOTTEN);
        assertThatThrownBy(() -> keys.encrypt(s, bytes("Ann"), bytes("name")))
                .isInstanceOf(SubjectForgottenException.class);
    }

    @Test
    void a_subject_with_neither_a_key_nor_a_tombstone_is_a_missing_key_never_a_forgotten_one() {
        SubjectKeys keys = keys();
        String s = subject();

        // personal data that names s, sealed under keys these are not (another table, another process's memory)
        assertThatThrownBy(() -> keys.decrypt(s, new byte[40], bytes("name")))
                .isInstanceOfSatisfying(SubjectKeyMissingException.class, e -> assertThat(e.subject()).isEqualTo(s));
        assertThat(keys.isForgotten(s)).isFalse();
    }
}
