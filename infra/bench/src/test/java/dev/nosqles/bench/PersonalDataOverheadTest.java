package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import org.junit.jupiter.api.Test;

/** Section 8 at a tiny scale: both sides measured, and the KMS calls counted phase by phase. */
class PersonalDataOverheadTest {

    @Test
    void the_kms_calls_are_one_per_process_per_cache_period_and_both_sides_are_timed() throws Exception {
        try (BenchEnv env = new BenchEnv(LocalAws.shared())) {
            PersonalDataOverhead.Result r = PersonalDataOverhead.run(env, new PersonalDataOverhead.Config(2, 6, 5, 4, 40));

            assertThat(r.appendPlain().samples()).isEqualTo(6);
            assertThat(r.appendEncrypted().samples()).isEqualTo(6);
            assertThat(r.loadEncrypted().samples()).isEqualTo(6);
            assertThat(r.appendRatioP50()).isPositive();
            assertThat(r.loadRatioP50()).isPositive();
            assertThat(r.kms()).hasSize(3);
            assertThat(r.kms()).allSatisfy(phase -> assertThat(phase.commands()).isEqualTo(40));
            // first process: one GenerateDataKey for the key-encryption key; the 4 customers' keys sealed by it
            assertThat(r.kms().get(0).kmsCalls()).isEqualTo(1);
            // a new process: one Decrypt of the key-encryption key; after the cache period, one more
            assertThat(r.kms().get(1).kmsCalls()).isEqualTo(1);
            assertThat(r.kms().get(2).kmsCalls()).isEqualTo(1);
            assertThat(PersonalDataOverhead.checks(r)).allSatisfy(c -> assertThat(c.passed()).isTrue());
        }
    }
}
