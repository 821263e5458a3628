package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStateException;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.dynamodb.DynamoDbReadModels.RebuildOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments: one line on stderr and status 2, and nothing is touched; a refused step: one line, status 1. */
class CommandLineErrorsTest {
    private static final Map<String, String> ENV = Map.of("EVENTS_TABLE", "e", "CHECKPOINTS_TABLE", "c",
            "READ_MODELS_TABLE", "r");
    private static final List<Projection<?>> PROJECTIONS = List.of(TestProjection.SUMMARIES);

    @TempDir
    Path dir;

    private static final ReadModelOperations.Connector NEVER = (target, projections, grace) -> fail("connected");

    private CliRun run(Map<String, String> env, String... args) {
        return CliRun.run(env, dir, PROJECTIONS, NEVER, false, args);
    }

    private static void usageError(CliRun run, String fragment) {
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("nosqles: ").contains(fragment);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void an_unknown_command_option_or_missing_parameter_is_a_one_line_usage_error() {
        usageError(run(ENV, "projections", "frob"), "Unmatched argument");
        usageError(run(ENV, "projections", "list", "--colour"), "Unknown option");
        usageError(run(ENV, "projections", "rebuild"), "Missing required parameter");
        usageError(run(ENV, "projections", "switch", "order-summaries"), "Missing required parameter");
        usageError(run(ENV), "a command is missing");
        usageError(run(ENV, "projections"), "a subcommand is missing");
        usageError(run(ENV, "projections", "rebuild", "order-summaries", "--segments", "many"), "--segments");
    }

    @Test
    void out_of_range_numbers_and_unknown_read_models_are_usage_errors() {
        usageError(run(ENV, "projections", "rebuild", "order-summaries", "--segments", "0"), "--segments must be 1..100");
        usageError(run(ENV, "projections", "rebuild", "order-summaries", "--page-size", "5000"), "--page-size must be 1..1000");
        usageError(run(ENV, "projections", "switch", "order-summaries", "0"), "a version is a number from 1");
        usageError(run(ENV, "projections", "drop", "order-summaries", "two"), "a version is a number from 1");
        usageError(run(ENV, "projections", "rebuild", "customer-orders"), "unknown read model customer-orders (known: order-summaries)");
    }

    @Test
    void a_saga_id_that_cannot_name_a_stream_is_a_usage_error_before_any_target_is_read() {
        usageError(run(Map.of(), "saga", "show", "o/1"), "not a saga id: o/1");
        usageError(run(Map.of(), "saga", "show", "x".repeat(129)), "not a saga id: ");
    }

    @Test
    void a_target_that_cannot_be_told_is_a_usage_error() {
        usageError(run(Map.of("EVENTS_TABLE", "e"), "projections", "list"),
                "no target: give --local, --stack NAME, or set CHECKPOINTS_TABLE, READ_MODELS_TABLE");
        usageError(run(ENV, "projections", "list", "--local", "--stack", "s"), "--local cannot be combined");
        usageError(run(ENV, "projections", "list", "--endpoint", "ftp://x"), "--endpoint must be an http(s) URL");
        usageError(run(Map.of("NOSQLES_STATE_DIR", dir.toString()), "projections", "list", "--local"),
                "make run is not running");
    }

    @Test
    void a_step_the_read_model_refuses_is_one_line_and_status_1() {
        ReadModelOperations refusing = new ReadModelOperations() {
            @Override
            public List<ReadModelStatus> list() {
                return List.of();
            }

            @Override
            public ReadModelStatus rebuild(String name, RebuildOptions options, Consumer<RebuildProgress> progress) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ReadModelStatus switchTo(String name, int version) {
                throw new ReadModelStateException(name, version, name + " version " + version
                        + " is BUILDING:\n only a READY or RETIRED version can serve");
            }

            @Override
            public ReadModelStatus drop(String name, int version) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
        CliRun run = CliRun.run(ENV, dir, PROJECTIONS, (t, p, g) -> refusing, false,
                "projections", "switch", "order-summaries", "3");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("nosqles: refused: order-summaries version 3 is BUILDING: "
                + "only a READY or RETIRED version can serve");
        assertThat(run.out()).isEmpty();
    }
}
