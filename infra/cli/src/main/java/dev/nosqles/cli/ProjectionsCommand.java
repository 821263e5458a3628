package dev.nosqles.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.dynamodb.DynamoDbReadModels.RebuildOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nosqles projections list|rebuild|switch|drop}: the read models' versions (ADR 0007). */
@Command(name = "projections", mixinStandardHelpOptions = true,
        description = "Read models: list their versions, rebuild one from the whole events table, switch reads to a "
                + "version, drop an old one.",
        subcommands = {ProjectionsCommand.ListCommand.class, ProjectionsCommand.RebuildCommand.class,
                ProjectionsCommand.SwitchCommand.class, ProjectionsCommand.DropCommand.class})
final class ProjectionsCommand extends GroupCommand {
    ProjectionsCommand() {
        super("list, rebuild, switch or drop");
    }


    List<Projection<?>> projections() {
        return root.context.projections().get();
    }

    Projection<?> projection(String name) {
        return projections().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("unknown read model " + name + " (known: "
                        + String.join(", ", projections().stream().map(Projection::name).toList()) + ")"));
    }

    ReadModelOperations connect(Target target) {
        return connect(target, DynamoDbReadModels.Builder.DEFAULT_DROP_GRACE);
    }

    ReadModelOperations connect(Target target, Duration dropGrace) {
        return root.context.connector().connect(target, projections(), dropGrace);
    }

    static int version(String text) {
        try {
            int v = Integer.parseInt(text.strip());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("a version is a number from 1, not " + text);
    }

    // ------------------------------------------------------------------------------------------------- list

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Each read model: its versions with their state, the projection code version that built "
                    + "each, the serving one (*), and how stale the live feed leaves it (lag).")
    static final class ListCommand extends Subcommand<ProjectionsCommand> {
        @Option(names = "--json", description = "JSON for scripts instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Target target = parent.target();
            List<ReadModelStatus> statuses;
            try (ReadModelOperations ops = parent.connect(target)) {
                statuses = ops.list();
            }
            Map<String, Integer> codeVersions = new LinkedHashMap<>();
            parent.projections().forEach(p -> codeVersions.put(p.name(), p.version()));
            Map<String, ReadModelStatus> byName = new LinkedHashMap<>();
            codeVersions.keySet().forEach(n -> byName.put(n, null));
            statuses.forEach(s -> byName.put(s.name(), s));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(json(target, byName, codeVersions));
            } else {
                table(out, target, byName, codeVersions);
            }
            out.flush();
            return 0;
        }

        private static String json(Target target, Map<String, ReadModelStatus> byName,
                                   Map<String, Integer> codeVersions) throws Exception {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = mapper.createObjectNode();
            root.put("target", target.description());
            ArrayNode models = root.putArray("readModels");
            byName.forEach((name, status) -> {
                ObjectNode m = models.addObject();
                m.put("name", name);
                if (codeVersions.containsKey(name)) {
                    m.put("codeVersion", codeVersions.get(name));
                } else {
                    m.putNull("codeVersion");
                }
                m.put("registered", status != null);
                m.put("servingVersion", status == null ? 0 : status.servingVersion());
                ArrayNode versions = m.putArray("versions");
                if (status != null) {
                    for (ReadModelStatus.Version v : status.versions()) {
                        ObjectNode o = versions.addObject();
                        o.put("version", v.version());
                        o.put("state", v.state().name());
                        o.put("serving", v.version() == status.servingVersion());
                        o.put("projectionVersion", v.projectionVersion());
                        o.put("createdAt", v.createdAt().toString());
                        o.put("rebuiltEvents", v.rebuiltEvents());
                        v.lastFedAt().ifPresentOrElse(t -> o.put("lastFedAt", t.toString()), () -> o.putNull("lastFedAt"));
                        v.lag().ifPresentOrElse(l -> o.put("lagMillis", l.toMillis()), () -> o.putNull("lagMillis"));
                    }
                }
            });
            return mapper.writeValueAsString(root);
        }

        private static void table(PrintWriter out, Target target, Map<String, ReadModelStatus> byName,
                                  Map<String, Integer> codeVersions) {
            TextTable rows = new TextTable("READ MODEL", "VERSION", "STATE", "CODE", "REBUILT EVENTS", "LAST FED",
                    "LAG");
            List<String> notes = new ArrayList<>();
            byName.forEach((name, status) -> {
                Integer code = codeVersions.get(name);
                if (status == null || status.versions().isEmpty()) {
                    rows.row(name, "-", "not registered", code == null ? "?" : "v" + code, "-", "-", "-");
                    notes.add(name + ": no version yet; the live feed registers version 1 at its next batch");
                    return;
                }
                boolean first = true;
                for (ReadModelStatus.Version v : status.versions()) {
                    boolean serving = v.version() == status.servingVersion();
                    String codeCell = "v" + v.projectionVersion()
                            + (code != null && code != v.projectionVersion() ? " (now v" + code + ")" : "");
                    rows.row(first ? name : "", (serving ? "* " : "  ") + v.version(), v.state().name(),
                            codeCell, String.format(Locale.ROOT, "%,d", v.rebuiltEvents()),
                            v.lastFedAt().map(Object::toString).orElse("never"),
                            v.lag().map(ProjectionsCommand::lag).orElse("-"));
                    first = false;
                }
                if (code == null) {
                    notes.add(name + ": not a projection of this application's code");
                }
            });
            out.println("Read models of " + target.description() + " (* = serving):");
            rows.print(out);
            notes.forEach(n -> out.println("note: " + n));
        }
    }

    static String lag(Duration d) {
        long ms = d.toMillis();
        if (ms < 10_000) {
            return ms + " ms";
        }
        if (ms < 600_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return ProgressBar.duration(d);
    }

    // ------------------------------------------------------------------------------------------------- rebuild

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Builds a new version of the read model from the whole events table (parallel Scan), or "
                    + "resumes the one a stopped rebuild left BUILDING; the serving version keeps serving and the "
                    + "live stream feeds both. Progress on stderr. Then: projections switch NAME VERSION.")
    static final class RebuildCommand extends Subcommand<ProjectionsCommand> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The read model (projection name).")
        String name;

        @Option(names = "--segments", paramLabel = "N", description = "Parallel Scan segments, 1..100 (default: ${DEFAULT-VALUE}).")
        int segments = RebuildOptions.defaults().segments();

        @Option(names = "--page-size", paramLabel = "N", description = "Items per Scan page, 1..1000 (default: ${DEFAULT-VALUE}).")
        int pageSize = RebuildOptions.defaults().pageSize();

        @Override
        public Integer call() {
            if (segments < 1 || segments > 100) {
                throw new UsageException("--segments must be 1..100, not " + segments);
            }
            if (pageSize < 1 || pageSize > 1000) {
                throw new UsageException("--page-size must be 1..1000, not " + pageSize);
            }
            Projection<?> projection = parent.projection(name);
            Target target = parent.target();
            PrintWriter err = spec.commandLine().getErr();
            ProgressBar bar = new ProgressBar(err, parent.root.context.stderrIsTerminal(),
                    "rebuild " + name, System::nanoTime);
            ReadModelStatus status;
            long start = System.nanoTime();
            try (ReadModelOperations ops = parent.connect(target)) {
                status = ops.rebuild(projection.name(), new RebuildOptions(segments, pageSize), bar);
            } finally {
                bar.finish();
            }
            Optional<ReadModelStatus.Version> built = status.versions().stream()
                    .filter(v -> v.state() == ReadModelStatus.State.READY)
                    .reduce((a, b) -> b);
            PrintWriter out = spec.commandLine().getOut();
            long seconds = Math.round((System.nanoTime() - start) / 1e9);
            if (built.isPresent()) {
                out.println(name + ": version " + built.get().version() + " is READY (" + String.format(Locale.ROOT,
                        "%,d", built.get().rebuiltEvents()) + " events from the events table, " + seconds + " s); "
                        + (status.servingVersion() == 0 ? "no version serves yet"
                        : "version " + status.servingVersion() + " serves")
                        + ". Move reads with: nosqles projections switch "
                        + name + " " + built.get().version());
            } else {
                out.println(name + ": rebuilt in " + seconds + " s; version " + status.servingVersion() + " serves");
            }
            out.flush();
            return 0;
        }
    }

    /**
     * A subcommand on one version of one read model ({@code NAME VERSION}): checks both (then its own options),
     * applies itself and prints the outcome line.
     */
    abstract static class VersionCommand extends Subcommand<ProjectionsCommand> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Override
        public final Integer call() {
            int v = version(version);
            checkOptions();
            parent.projection(name);
            ReadModelStatus status = apply(parent.target(), v);
            PrintWriter out = spec.commandLine().getOut();
            out.println(outcome(v, status));
            out.flush();
            return 0;
        }

        /** Refuses options out of range (a {@link UsageException}); none by default. */
        void checkOptions() {
        }

        abstract ReadModelStatus apply(Target target, int v);

        abstract String outcome(int v, ReadModelStatus status);
    }

    // ------------------------------------------------------------------------------------------------- switch

    @Command(name = "switch", mixinStandardHelpOptions = true,
            description = "Moves reads to a READY (or RETIRED) version in one conditional write; the serving one is "
                    + "RETIRED (still fed, so a switch back is instant).")
    static final class SwitchCommand extends VersionCommand {
        @Override
        ReadModelStatus apply(Target target, int v) {
            try (ReadModelOperations ops = parent.connect(target)) {
                return ops.switchTo(name, v);
            }
        }

        @Override
        String outcome(int v, ReadModelStatus status) {
            return name + ": version " + status.servingVersion() + " serves; "
                    + String.join(", ", status.versions().stream().filter(x -> x.version() != status.servingVersion())
                    .map(x -> "version " + x.version() + " " + x.state()).toList())
                    + (status.versions().size() > 1 ? ". Drop an old one with: nosqles projections drop " + name
                    + " VERSION" : "");
        }
    }

    // ------------------------------------------------------------------------------------------------- drop

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = "Stops feeding a version that does not serve and deletes its rows, checkpoints and "
                    + "rebuild progress.")
    static final class DropCommand extends VersionCommand {
        @Option(names = "--grace", paramLabel = "SECONDS",
                description = "Wait between stopping the feed and deleting, so that no stream batch that read the "
                        + "registry before still writes (default: ${DEFAULT-VALUE}, twice the stream function's timeout).")
        long graceSeconds = DynamoDbReadModels.Builder.DEFAULT_DROP_GRACE.toSeconds();

        @Override
        void checkOptions() {
            if (graceSeconds < 0) {
                throw new UsageException("--grace must be 0 or more seconds, not " + graceSeconds);
            }
        }

        @Override
        ReadModelStatus apply(Target target, int v) {
            try (ReadModelOperations ops = parent.connect(target, Duration.ofSeconds(graceSeconds))) {
                boolean droppable = ops.list().stream().filter(s -> s.name().equals(name)).findFirst()
                        .map(s -> s.servingVersion() != v && s.versions().stream().anyMatch(x -> x.version() == v))
                        .orElse(false);
                if (graceSeconds > 0 && droppable) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println(name + ": stopping the feed of version " + v + ", deleting it in " + graceSeconds
                            + " s ...");
                    err.flush();
                }
                return ops.drop(name, v);
            }
        }

        @Override
        String outcome(int v, ReadModelStatus status) {
            return name + ": version " + v + " dropped; versions left: "
                    + String.join(", ", status.versions().stream().map(x -> x.version() + " " + x.state()).toList());
        }
    }
}
