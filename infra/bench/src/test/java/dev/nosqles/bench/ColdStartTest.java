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
                assertThat(run.cpuMs()).isPositive();
            });
            assertThat(result.runs()).filteredOn(r -> r.variant().equals(ColdStart.API))
                    .singleElement().satisfies(r -> assertThat(r.status()).isEqualTo("201"));
            assertThat(result.variant(ColdStart.API).classesLoadedMedian())
                    .isGreaterThan(result.variant(ColdStart.MINIMAL).classesLoadedMedian());
            assertThat(result.jarBytes()).isPositive();
            assertThat(ColdStart.checks(result)).allMatch(Check::passed);
        }
    }

    @Test
    void the_section_reports_the_ratio_beside_the_goal_with_the_classes_loaded_and_the_jar_size() throws Exception {
        ColdStart.Result result = result(1300, 1000, 5800, 4700);

        String section = Report.coldStartSection(java.nio.file.Files.createTempDirectory("cold-start"), result);

        assertThat(ColdStart.ratio(result)).isEqualTo(1.3);
        assertThat(section).contains("**Fork → first response: 1.30× the bare client (goal: at most 1.2×, not met)**;"
                + " 5,800 vs 4,700 classes loaded; shaded jar 16.9 MB.");
        assertThat(Report.coldStartSection(java.nio.file.Files.createTempDirectory("cold-start"),
                result(1100, 1000, 5800, 4700))).contains("1.10× the bare client (goal: at most 1.2×, met)");
    }

    private static ColdStart.Result result(double apiMs, double minimalMs, long apiClasses, long minimalClasses) {
        java.util.List<ColdStart.Run> runs = java.util.List.of(
                new ColdStart.Run(ColdStart.API, 1, true, "201", 50, apiMs - 350, 300, apiMs, apiMs + 10, apiClasses,
                        apiMs, null),
                new ColdStart.Run(ColdStart.MINIMAL, 1, true, "200", 50, minimalMs - 250, 200, minimalMs,
                        minimalMs + 10, minimalClasses, minimalMs, null));
        ColdStart.Stat api = new ColdStart.Stat(apiMs, apiMs, apiMs);
        ColdStart.Stat min = new ColdStart.Stat(minimalMs, minimalMs, minimalMs);
        ColdStart.Stat any = new ColdStart.Stat(50, 50, 50);
        return new ColdStart.Result("java", ColdStart.JVM_FLAGS, "nosqles-lambda-handlers.jar", 17_691_377, 1,
                java.util.List.of(
                        new ColdStart.Variant(ColdStart.API, "the handler", 1, 1, any, any, any, api, api, apiClasses,
                                api),
                        new ColdStart.Variant(ColdStart.MINIMAL, "the client", 1, 1, any, any, any, min, min,
                                minimalClasses, min)),
                runs);
    }
}
