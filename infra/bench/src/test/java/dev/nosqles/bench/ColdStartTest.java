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

            assertThat(result.runs()).hasSize(3).allSatisfy(run -> {
                assertThat(run.handled()).as("%s: %s", run.variant(), run.problem()).isTrue();
                assertThat(run.classesLoaded()).isPositive();
                assertThat(run.launchToMainMs()).isPositive();
                assertThat(run.launchToResponseMs()).isGreaterThan(run.launchToMainMs());
                assertThat(run.cpuMs()).isPositive();
            });
            assertThat(result.runs()).filteredOn(r -> !r.variant().equals(ColdStart.MINIMAL))
                    .hasSize(2).allSatisfy(r -> assertThat(r.status()).isEqualTo("201"));
            // the counted run: the hand-written equivalent makes the handler's requests, operation by operation
            assertThat(result.requests().get(ColdStart.API)).isNotEmpty()
                    .isEqualTo(result.requests().get(ColdStart.EQUIVALENT));
            // a new customer's key is put without a read first: the only read is the key-encryption key's
            assertThat(result.requests().get(ColdStart.API)).isEqualTo(java.util.Map.of("dynamodb:GetItem", 1L,
                    "dynamodb:PutItem", 2L, "kms:Decrypt", 1L));
            assertThat(result.requests().get(ColdStart.MINIMAL)).containsOnlyKeys("dynamodb:GetItem")
                    .containsEntry("dynamodb:GetItem", 1L);
            // POST /customers reads its body, writes its event and its response without building an ObjectMapper,
            // and without jackson-core's parser or generator (JsonReader and JsonWriter, ADR 0020)
            assertThat(result.classes()).containsOnlyKeys(ColdStart.API, ColdStart.EQUIVALENT, ColdStart.MINIMAL);
            assertThat(result.classes().get(ColdStart.API).objectMapper()).isFalse();
            assertThat(result.classes().get(ColdStart.API).jsonFactory()).isFalse();
            // the orders' repository and the read models are built on first use: a customer's create loads neither
            assertThat(result.classes().get(ColdStart.API).builtOnFirstUse()).isEmpty();
            assertThat(result.classes().get(ColdStart.API).byLibrary().get("Jackson core and annotations"))
                    .as("jackson-core classes on the path (exception and tree types the verifier loads)")
                    .isLessThan(10);
            // ...and reads the annotations that decide how its event is written without making them proxies
            assertThat(result.classes().get(ColdStart.API).proxies()).isZero();
            assertThat(result.classes().get(ColdStart.API).byLibrary().get("nosqles")).isPositive();
            assertThat(result.classes().get(ColdStart.EQUIVALENT).byLibrary().get("Jackson databind")).isZero();
            assertThat(result.variant(ColdStart.API).classesLoadedMedian())
                    .isGreaterThan(result.variant(ColdStart.MINIMAL).classesLoadedMedian());
            assertThat(result.jarBytes()).isPositive();
            assertThat(ColdStart.checks(result)).allMatch(Check::passed);
        }
    }

    @Test
    void the_section_reports_the_ratio_beside_the_goal_with_the_classes_loaded_and_the_jar_size() throws Exception {
        ColdStart.Result result = result(1300, 1040, 1000, 5800, 4700);

        String section = Report.coldStartSection(java.nio.file.Files.createTempDirectory("cold-start"), result);

        assertThat(ColdStart.ratio(result)).isEqualTo(1.3);
        assertThat(section).contains("**Fork → first response: 1.30× the bare client (goal: at most 1.2×, not met)**;"
                + " 5,800 vs 4,700 classes loaded; shaded jar 16.9 MB.");
        assertThat(section).contains("No dynamic proxy was generated in it");
        assertThat(section).contains("takes 1.04× the bare client", "**ApiHandler at 1.25× the hand-written"
                + " equivalent** (260 ms, 600 classes more)");
        assertThat(section).contains("| AWS requests (one more run, counted by a proxy) | dynamodb:GetItem 1,"
                + " kms:Decrypt 1 | dynamodb:GetItem 1, kms:Decrypt 1 | dynamodb:GetItem 1 | | |");
        assertThat(Report.coldStartSection(java.nio.file.Files.createTempDirectory("cold-start"),
                result(1100, 1040, 1000, 5800, 4700))).contains("1.10× the bare client (goal: at most 1.2×, met)");
    }

    @Test
    void the_paired_ratio_divides_each_rounds_handler_by_the_same_rounds_bare_client() throws Exception {
        ColdStart.Result one = result(1300, 1040, 1000, 5800, 4700);
        java.util.List<ColdStart.Run> runs = new java.util.ArrayList<>();
        double[][] rounds = {{1100, 1000}, {1500, 1000}, {1300, 1000}, {2400, 2000}, {900, 1000}};
        for (int i = 0; i < rounds.length; i++) {
            runs.add(run(ColdStart.API, i + 1, rounds[i][0], true));
            runs.add(run(ColdStart.MINIMAL, i + 1, rounds[i][1], true));
        }
        // a round whose bare client failed has no ratio
        runs.add(run(ColdStart.API, 6, 5000, true));
        runs.add(run(ColdStart.MINIMAL, 6, 100, false));
        ColdStart.Result paired = new ColdStart.Result(one.java(), one.jvmFlags(), one.jar(), one.jarBytes(),
                one.warmups(), one.variants(), runs, one.requests(), one.classes());

        // ratios 0.9, 1.1, 1.2, 1.3, 1.5
        assertThat(ColdStart.pairedRatioQuartiles(paired)).containsExactly(new double[] {1.1, 1.2, 1.3},
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Report.coldStartSection(java.nio.file.Files.createTempDirectory("cold-start"), paired))
                .contains("ApiHandler over the bare client: median 1.20×, middle half 1.10× – 1.30×");
    }

    private static ColdStart.Run run(String variant, int round, double ms, boolean handled) {
        return new ColdStart.Run(variant, round, handled, handled ? "201" : null, 50, ms - 300, 250, ms, ms + 10,
                4000, ms, handled ? null : "failed");
    }

    @Test
    void the_bare_variants_jar_is_the_shaded_jar_without_its_log_provider_registration() throws Exception {
        java.nio.file.Path jar = java.nio.file.Files.createTempFile("shaded-", ".jar");
        try (var out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            for (String entry : java.util.List.of(ColdStart.LOG_PROVIDER_REGISTRATION, "a/B.class")) {
                out.putNextEntry(new java.util.zip.ZipEntry(entry));
                out.write(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        java.nio.file.Path bare = ColdStart.withoutLogProvider(jar);
        try (var zip = new java.util.zip.ZipFile(bare.toFile()); var shaded = new java.util.zip.ZipFile(jar.toFile())) {
            assertThat(zip.getEntry(ColdStart.LOG_PROVIDER_REGISTRATION)).isNull();
            assertThat(new String(zip.getInputStream(zip.getEntry("a/B.class")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("a/B.class");
            assertThat(shaded.getEntry(ColdStart.LOG_PROVIDER_REGISTRATION)).isNotNull();
        } finally {
            java.nio.file.Files.deleteIfExists(bare);
            java.nio.file.Files.deleteIfExists(jar);
        }
    }

    @Test
    void the_variants_run_with_the_flags_template_yaml_gives_the_api_function() {
        java.util.List<String> flags = ColdStart.templateJvmFlags(dev.nosqles.runtime.LocalRuntime.findTemplate());

        assertThat(flags).contains("-XX:TieredStopAtLevel=1",
                "-Dslf4j.provider=dev.nosqles.lambda.logging.JsonLogsProvider");
    }

    @Test
    void the_api_handler_gets_every_variable_template_yaml_gives_the_api_function() {
        java.nio.file.Path template = dev.nosqles.runtime.LocalRuntime.findTemplate();
        java.util.List<String> variables = ColdStart.templateVariables(template);
        java.util.Set<String> names = new java.util.HashSet<>(ColdStart.PROBE_VARIABLES);
        names.add("JAVA_TOOL_OPTIONS");
        variables.forEach(v -> names.add(v.substring(0, v.indexOf('='))));

        java.util.Set<String> declared = dev.nosqles.runtime.template.TemplateReader.read(template)
                .function(ColdStart.FUNCTION).orElseThrow().environment().keySet();
        assertThat(names).as("the probe's variables").containsAll(declared);
        // the query routes' variables: ApiHandler wires its read models from them at its start, as deployed
        assertThat(variables).anyMatch(v -> v.startsWith("READ_MODELS_TABLE=cold-start-"))
                .anyMatch(v -> v.startsWith("CURSOR_SIGNING_KEY=") && v.length()
                        >= "CURSOR_SIGNING_KEY=".length() + dev.nosqles.app.readmodel.ReadModelWiring.MIN_KEY_LENGTH)
                .contains("POWERTOOLS_METRICS_NAMESPACE=nosqles");
    }

    @Test
    void a_class_load_log_is_counted_by_library_and_tells_whether_the_object_mapper_was_loaded() {
        ColdStart.Classes classes = ColdStart.classes(java.util.List.of(
                "[0.010s][info][class,load] java.lang.Object source: shared objects file",
                "[0.200s][info][class,load] software.amazon.awssdk.core.SdkBytes source: file:/x.jar",
                "[0.300s][info][class,load] com.fasterxml.jackson.databind.ObjectMapper source: file:/x.jar",
                "[0.301s][info][class,load] com.fasterxml.jackson.datatype.jsr310.JavaTimeModule source: file:/x.jar",
                "[0.302s][info][class,load] com.fasterxml.jackson.core.JsonFactory source: file:/x.jar",
                "[0.303s][info][class,load] dev.nosqles.store.NewEvent source: file:/x.jar",
                "[0.304s][info][class,load] dev.nosqles.bench.coldstart.ColdStartProbe source: file:/p.jar",
                "[0.305s][info][class,load] org.slf4j.LoggerFactory source: file:/x.jar",
                "[0.306s][info][class,load] com.amazonaws.services.lambda.runtime.Context source: file:/x.jar",
                "[0.307s][info][class,load] org.joda.Other source: file:/x.jar",
                "[0.308s][info][class,load] jdk.proxy2.$Proxy3 source: __dynamic_proxy__",
                "[0.309s][info][class,load] dev.nosqles.app.order.Order source: file:/x.jar",
                "not a class line"));

        assertThat(classes.objectMapper()).isTrue();
        assertThat(classes.jsonFactory()).isTrue();
        assertThat(classes.builtOnFirstUse()).containsExactly("dev.nosqles.app.order.Order");
        assertThat(classes.proxies()).isEqualTo(1);
        assertThat(classes.total()).isEqualTo(12);
        assertThat(classes.byLibrary()).containsEntry("JDK", 2L).containsEntry("AWS SDK", 1L)
                .containsEntry("Jackson databind", 2L).containsEntry("Jackson core and annotations", 1L)
                .containsEntry("nosqles", 2L).containsEntry("the probe", 1L).containsEntry("SLF4J", 1L)
                .containsEntry("AWS Lambda libraries", 1L).containsEntry("other", 1L);
        assertThat(ColdStart.classes(java.util.List.of(
                "[0.3s][info][class,load] com.fasterxml.jackson.databind.node.ObjectNode source: x")))
                .satisfies(c -> assertThat(java.util.List.of(c.objectMapper(), c.jsonFactory())).containsOnly(false))
                .satisfies(c -> assertThat(c.builtOnFirstUse()).isEmpty());
    }

    @Test
    void the_check_fails_when_the_hand_written_equivalent_does_not_make_the_handlers_requests() {
        ColdStart.Result same = result(1300, 1040, 1000, 5800, 4700);
        ColdStart.Result differing = new ColdStart.Result(same.java(), same.jvmFlags(), same.jar(), same.jarBytes(),
                same.warmups(), same.variants(), same.runs(), java.util.Map.of(
                        ColdStart.API, java.util.Map.of("dynamodb:GetItem", 1L, "kms:Decrypt", 1L),
                        ColdStart.EQUIVALENT, java.util.Map.of("dynamodb:GetItem", 2L, "kms:Decrypt", 1L),
                        ColdStart.MINIMAL, java.util.Map.of("dynamodb:GetItem", 1L)), same.classes());

        assertThat(ColdStart.checks(same)).allMatch(Check::passed);
        assertThat(ColdStart.checks(differing)).filteredOn(c -> !c.passed()).singleElement()
                .satisfies(c -> assertThat(c.name()).contains("hand-written equivalent"));
    }

    private static ColdStart.Result result(double apiMs, double handMs, double minimalMs, long apiClasses,
                                           long minimalClasses) {
        long handClasses = apiClasses - 600;
        java.util.List<ColdStart.Run> runs = java.util.List.of(
                new ColdStart.Run(ColdStart.API, 1, true, "201", 50, apiMs - 350, 300, apiMs, apiMs + 10, apiClasses,
                        apiMs, null),
                new ColdStart.Run(ColdStart.EQUIVALENT, 1, true, "201", 50, handMs - 300, 250, handMs, handMs + 10,
                        handClasses, handMs, null),
                new ColdStart.Run(ColdStart.MINIMAL, 1, true, "200", 50, minimalMs - 250, 200, minimalMs,
                        minimalMs + 10, minimalClasses, minimalMs, null));
        ColdStart.Stat api = new ColdStart.Stat(apiMs, apiMs, apiMs);
        ColdStart.Stat hand = new ColdStart.Stat(handMs, handMs, handMs);
        ColdStart.Stat min = new ColdStart.Stat(minimalMs, minimalMs, minimalMs);
        ColdStart.Stat any = new ColdStart.Stat(50, 50, 50);
        java.util.Map<String, Long> create = java.util.Map.of("dynamodb:GetItem", 1L, "kms:Decrypt", 1L);
        return new ColdStart.Result("java", java.util.List.of("-XX:TieredStopAtLevel=1"), "nosqles-lambda-handlers.jar", 17_691_377, 1,
                java.util.List.of(
                        new ColdStart.Variant(ColdStart.API, "the handler", 1, 1, any, any, any, api, api, apiClasses,
                                api),
                        new ColdStart.Variant(ColdStart.EQUIVALENT, "by hand", 1, 1, any, any, any, hand, hand,
                                handClasses, hand),
                        new ColdStart.Variant(ColdStart.MINIMAL, "the client", 1, 1, any, any, any, min, min,
                                minimalClasses, min)),
                runs, java.util.Map.of(ColdStart.API, create, ColdStart.EQUIVALENT, create,
                        ColdStart.MINIMAL, java.util.Map.of("dynamodb:GetItem", 1L)),
                java.util.Map.of(ColdStart.API, new ColdStart.Classes(java.util.Map.of("JDK", 2000L, "nosqles", 150L,
                        "Jackson databind", 30L), false, false, 0, java.util.List.of())));
    }
}
