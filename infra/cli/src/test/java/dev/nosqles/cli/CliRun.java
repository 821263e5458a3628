package dev.nosqles.cli;

import dev.nosqles.projection.Projection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One run of the command with captured output. */
record CliRun(int status, String out, String err) {
    static CliRun run(Map<String, String> env, Path workingDirectory, List<Projection<?>> projections,
                      ReadModelOperations.Connector connector, boolean tty, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Nosqles.commandLine(new Nosqles.Context(env, workingDirectory, () -> projections, connector, tty),
                new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new CliRun(status, out.toString(), err.toString());
    }

    List<String> errLines() {
        return err.lines().toList();
    }
}
