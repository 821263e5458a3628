package dev.nosqles.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.lambda.logging.internal.JsonLogger;
import dev.nosqles.lambda.logging.internal.ThreadMdc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

class JsonLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new ArrayList<>();
    private final ThreadMdc mdc = new ThreadMdc();
    private final AtomicInteger generation = new AtomicInteger();
    private Level level = Level.INFO;
    private final JsonLogger logger = new JsonLogger("dev.nosqles.saga.SagaManager", name -> level,
            generation::get, mdc, lines::add);

    @AfterEach
    void resetLevels() {
        JsonLogs.reset();
        MDC.clear();
    }

    private JsonNode only() throws Exception {
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotContain("\n");
        return JSON.readTree(lines.get(0));
    }

    @Test
    void a_line_is_one_json_object_with_the_message_formatted_and_every_mdc_entry_as_a_field() throws Exception {
        mdc.put("function_name", "shop-Api");
        mdc.put("cold_start", "true");
        mdc.put("function_memory_size", "1024");
        mdc.put("stream_id", "Order-1");
        mdc.put("correlation_id", "c-1");

        logger.info("saga {} sent {}", "s-1", "ReserveCredit");

        JsonNode line = only();
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("logger").asText()).isEqualTo("dev.nosqles.saga.SagaManager");
        assertThat(line.path("message").asText()).isEqualTo("saga s-1 sent ReserveCredit");
        assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(line.path("function_name").asText()).isEqualTo("shop-Api");
        assertThat(line.path("cold_start").isBoolean()).isTrue();
        assertThat(line.path("function_memory_size").isNumber()).isTrue();
        assertThat(line.path("stream_id").asText()).isEqualTo("Order-1");
        assertThat(line.path("correlation_id").asText()).isEqualTo("c-1");
        assertThat(line.has("error")).isFalse();
    }

    @Test
    void an_error_carries_the_exception_name_message_and_stack_trace_on_the_same_line() throws Exception {
        IllegalStateException failure = new IllegalStateException("refused", new RuntimeException("the cause"));

        logger.error("record failed: {}", "Order-1 v2", failure);

        JsonNode line = only();
        assertThat(line.path("level").asText()).isEqualTo("ERROR");
        assertThat(line.path("message").asText()).isEqualTo("record failed: Order-1 v2");
        assertThat(line.path("error").path("name").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.path("error").path("message").asText()).isEqualTo("refused");
        assertThat(line.path("error").path("stack").asText())
                .contains("at dev.nosqles.lambda.logging.JsonLogsTest", "Caused by: java.lang.RuntimeException: the cause");
    }

    @Test
    void quotes_backslashes_and_control_characters_are_escaped() throws Exception {
        String awkward = "a \"quoted\" \\ path\twith\r\nlines and \u0001 and \u2028";

        logger.warn(awkward);

        assertThat(only().path("message").asText()).isEqualTo(awkward);
    }

    @Test
    void the_fluent_api_s_key_value_pairs_are_fields() throws Exception {
        logger.atWarn().addKeyValue("saga_id", "s-9").addKeyValue("attempt", 3).log("deadline {}", "due");

        JsonNode line = only();
        assertThat(line.path("message").asText()).isEqualTo("deadline due");
        assertThat(line.path("saga_id").asText()).isEqualTo("s-9");
        assertThat(line.path("attempt").asText()).isEqualTo("3");
    }

    @Test
    void a_trailing_throwable_is_the_error_in_the_fluent_api_as_in_the_classic_calls() throws Exception {
        IllegalStateException failure = new IllegalStateException("refused");

        logger.atError().log("batch {} failed", "b-1", failure);

        JsonNode line = only();
        assertThat(line.path("message").asText()).isEqualTo("batch b-1 failed");
        assertThat(line.path("error").path("name").asText()).isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void no_name_appears_twice_in_a_line_and_a_memory_size_that_is_no_json_number_stays_a_string() {
        mdc.put("message", "from the mdc");
        mdc.put("correlation_id", "c-mdc");
        mdc.put("function_memory_size", "0128");

        logger.atInfo().addKeyValue("correlation_id", "c-pair").addKeyValue("level", "LOUD").log("the message");

        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l).containsOnlyOnce("\"message\"").containsOnlyOnce("\"correlation_id\"")
                    .containsOnlyOnce("\"level\"").contains("\"function_memory_size\":\"0128\"");
            JsonNode line = JSON.readTree(l);
            assertThat(line.path("message").asText()).isEqualTo("the message");
            assertThat(line.path("correlation_id").asText()).isEqualTo("c-pair");
            assertThat(line.path("level").asText()).isEqualTo("INFO");
        });
    }

    @Test
    void a_thread_started_while_the_mdc_holds_an_invocations_ids_does_not_inherit_them() throws Exception {
        mdc.put("function_request_id", "req-1");
        Thread started = new Thread(() -> logger.info("from a background thread"));
        started.start();
        started.join();

        assertThat(only().has("function_request_id")).isFalse();
        mdc.clear();
        assertThat(mdc.getCopyOfContextMap()).isNull();
    }

    @Test
    void below_its_level_nothing_is_written_and_a_new_level_is_seen_after_a_change() {
        logger.debug("not at INFO");
        assertThat(lines).isEmpty();

        level = Level.DEBUG;
        logger.debug("still cached");
        assertThat(lines).isEmpty();
        generation.incrementAndGet();
        logger.debug("now");
        assertThat(lines).hasSize(1);
    }

    @Test
    void a_logger_takes_the_level_of_its_longest_prefix_and_the_sdk_logs_from_warn_at_info() {
        JsonLogs.configure(Map.of(JsonLogs.LEVEL_VARIABLE, "info")::get);
        JsonLogs.setLevel("dev.nosqles.saga", Level.DEBUG);

        assertThat(JsonLogs.level("dev.nosqles.saga.SagaManager")).isEqualTo(Level.DEBUG);
        assertThat(JsonLogs.level("dev.nosqles.sagas")).isEqualTo(Level.INFO);
        assertThat(JsonLogs.level("software.amazon.awssdk.request")).isEqualTo(Level.WARN);
        assertThat(JsonLogs.level("")).isEqualTo(Level.INFO);
    }

    @Test
    void at_debug_the_sdk_logs_at_debug_too_and_lambdas_own_level_is_the_fallback() {
        JsonLogs.configure(Map.of(JsonLogs.LEVEL_VARIABLE, "DEBUG")::get);
        assertThat(JsonLogs.level("software.amazon.awssdk.request")).isEqualTo(Level.DEBUG);

        JsonLogs.configure(Map.of(JsonLogs.LAMBDA_LEVEL_VARIABLE, "FATAL")::get);
        assertThat(JsonLogs.level("app")).isEqualTo(Level.ERROR);
        assertThat(JsonLogs.level("software.amazon.awssdk")).isEqualTo(Level.ERROR);

        JsonLogs.configure(Map.of(JsonLogs.LEVEL_VARIABLE, "LOUD")::get);
        assertThat(JsonLogs.level("app")).isEqualTo(Level.INFO);
    }

    @Test
    void slf4j_finds_the_provider_and_its_lines_go_to_the_current_stdout() throws Exception {
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
                .startsWith(JsonLogsProvider.class.getName());
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            MDC.put("message_id", "m-1");
            LoggerFactory.getLogger("app").info("handled");
            JsonLogs.setLevel("app", Level.WARN);
            LoggerFactory.getLogger("app").info("not written");
        } finally {
            System.setOut(original);
        }
        List<String> written = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(written).hasSize(1);
        JsonNode line = JSON.readTree(written.get(0));
        assertThat(line.path("message").asText()).isEqualTo("handled");
        assertThat(line.path("message_id").asText()).isEqualTo("m-1");
    }
}
