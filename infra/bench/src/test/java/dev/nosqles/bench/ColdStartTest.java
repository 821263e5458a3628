package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import org.junit.jupiter.api.Test;

/** Section 5 at the tiniest scale: one fresh JVM per variant, on the shaded Lambda jar, against moto. */
class ColdStartTest {

    @Test
    void a_fresh_jvm_of_each_variant_handles_its_request_and_reports_its_timings_and_classes() throws Exception {
        try (BenchEnv env = new BenchEnv(LocalAws.shared())) {
            ColdStart.Result result = ColdStart.run(env, new ColdStart.Config(1, 0));

            assertThat(result.runs()).hasSize(2).allSatisfy(run -> {
                assertThat(run.handled()).as("%s: %s", run.variant(), run.problem()).isTrue();
                assertThat(run.classesLoaded()).isPositive();
                assertThat(run.launchToMainMs()).isPositive();
                assertThat(run.launchToResponseMs()).isGreaterThan(run.launchToMainMs());
            });
            assertThat(result.runs()).filteredOn(r -> r.variant().equals(ColdStart.API))
                    .singleElement().satisfies(r -> assertThat(r.status()).isEqualTo("201"));
            assertThat(result.variant(ColdStart.API).classesLoadedMedian())
                    .isGreaterThan(result.variant(ColdStart.MINIMAL).classesLoadedMedian());
            assertThat(result.jarBytes()).isPositive();
            assertThat(ColdStart.checks(result)).allMatch(Check::passed);
        }
    }
}
