package dev.nosqles.runtime.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.template.internal.CfnYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A drop waits a grace before deleting a version, for the stream function's batches that read the registry before
 * the version was marked DROPPING (ADR 0007). The grace is only safe while it outlasts such a batch: twice the
 * function's timeout. Raising the timeout in template.yaml without the grace fails here.
 */
class DropGraceTest {
    static final String FEEDER = "OrderSagaStreamFunction";

    @Test
    void the_default_drop_grace_is_at_least_twice_the_timeout_of_the_function_that_feeds_the_read_models()
            throws IOException {
        Duration timeout = effectiveTimeout(load(Files.readString(LocalRuntime.findTemplate())), FEEDER);

        assertThat(timeout).isPositive();
        assertThat(DynamoDbReadModels.Builder.DEFAULT_DROP_GRACE).isGreaterThanOrEqualTo(timeout.multipliedBy(2));
    }

    @Test
    void the_effective_timeout_is_the_functions_own_over_the_globals_and_the_lambda_default_without_either() {
        Map<String, Object> globalOnly = load("""
                Globals:
                  Function:
                    Timeout: 15
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x
                """);
        Map<String, Object> own = load("""
                Globals:
                  Function:
                    Timeout: 15
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Timeout: 20
                """);
        Map<String, Object> neither = load("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x
                """);

        assertThat(effectiveTimeout(globalOnly, "F")).isEqualTo(Duration.ofSeconds(15));
        assertThat(effectiveTimeout(own, "F")).isEqualTo(Duration.ofSeconds(20));
        assertThat(effectiveTimeout(neither, "F")).isEqualTo(Duration.ofSeconds(3)); // Lambda's default
        // a 20 s function would need a 40 s grace: the default would not do
        assertThat(DynamoDbReadModels.Builder.DEFAULT_DROP_GRACE)
                .isLessThan(effectiveTimeout(own, "F").multipliedBy(2));
    }

    static Duration effectiveTimeout(Map<String, Object> template, String function) {
        Map<String, Object> properties = map(map(map(template.get("Resources")).get(function)).get("Properties"));
        Object own = properties == null ? null : properties.get("Timeout");
        if (own != null) {
            return Duration.ofSeconds(Long.parseLong(String.valueOf(own)));
        }
        Map<String, Object> globals = map(template.get("Globals"));
        Map<String, Object> function0 = globals == null ? null : map(globals.get("Function"));
        Object global = function0 == null ? null : function0.get("Timeout");
        return Duration.ofSeconds(global == null ? 3 : Long.parseLong(String.valueOf(global)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String yaml) {
        return (Map<String, Object>) CfnYaml.load(yaml);
    }
}
