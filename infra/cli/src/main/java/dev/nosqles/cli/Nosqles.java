package dev.nosqles.cli;

import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStateException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code nosqles}: the operator's command ({@code bin/nosqles}). Exit status 0 when done, 1 when the step was
 * refused or failed (one line on stderr), 2 on bad arguments (one line on stderr).
 */
@Command(name = "nosqles", mixinStandardHelpOptions = true, version = "nosqles 0.1.0",
        description = "Operate a nosql-es application: its read models (projections), subscriptions' lag, dead-letter "
                + "queues, streams and sagas.",
        subcommands = {ProjectionsCommand.class, SubscriptionsCommand.class, DlqCommand.class,
                StreamCommand.class,
                SagaCommand.class,
                SagasCommand.class})
public final class Nosqles implements Runnable {
    /** Exit status of a refused or failed step. */
    public static final int FAILED = 1;
    /** Exit status of bad arguments. */
    public static final int USAGE = 2;

    /** What the command reads from its surroundings; tests give their own. */
    public record Context(Map<String, String> env, Path workingDirectory, Supplier<List<Projection<?>>> projections,
                          ReadModelOperations.Connector connector, boolean stderrIsTerminal) {
        public Context {
            Objects.requireNonNull(env, "env");
            Objects.requireNonNull(workingDirectory, "workingDirectory");
            Objects.requireNonNull(projections, "projections");
            Objects.requireNonNull(connector, "connector");
        }

        /** The reference application's projections, on DynamoDB. */
        public static Context of(Map<String, String> env, Path workingDirectory,
                                 Supplier<List<Projection<?>>> projections, boolean stderrIsTerminal) {
            return new Context(env, workingDirectory, projections, ReadModelOperations::dynamoDb, stderrIsTerminal);
        }
    }

    @Mixin
    TargetOptions target;

    @Spec
    CommandSpec spec;

    final Context context;

    Nosqles(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is missing (see nosqles --help)");
    }

    /** The target the options and the environment name. */
    Target target() {
        return target.resolve(context.env(), context.workingDirectory());
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        boolean tty = "1".equals(env.get("NOSQLES_TTY")) || consoleIsTerminal();
        Context context = Context.of(env, Path.of("").toAbsolutePath(), AppProjections::all, tty);
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(commandLine(context, out, err).execute(args));
    }

    /** The command line, its output on {@code out} and {@code err}: {@code commandLine(...).execute(args)}. */
    public static CommandLine commandLine(Context context, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Nosqles(context));
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            failed.getErr().println("nosqles: " + oneLine(e.getMessage()) + " (see "
                    + failed.getCommandSpec().qualifiedName() + " --help)");
            failed.getErr().flush();
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, failed, parsed) -> {
            PrintWriter stderr = failed.getErr();
            int status;
            if (e instanceof UsageException) {
                stderr.println("nosqles: " + oneLine(e.getMessage()));
                status = USAGE;
            } else if (e instanceof ReadModelStateException refused) {
                stderr.println("nosqles: refused: " + oneLine(refused.getMessage()));
                status = FAILED;
            } else {
                stderr.println("nosqles: failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage())));
                status = FAILED;
            }
            stderr.flush();
            return status;
        });
        return cli;
    }

    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Whether the JVM's console is a terminal (JDK 22+ {@code Console.isTerminal}; before, a console at all). */
    private static boolean consoleIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
