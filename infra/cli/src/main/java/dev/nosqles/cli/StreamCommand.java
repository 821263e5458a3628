package dev.nosqles.cli;

import dev.nosqles.operations.HistoryEntry;
import dev.nosqles.operations.HistoryQuery;
import dev.nosqles.operations.StreamHistories;
import dev.nosqles.operations.StreamHistory;
import dev.nosqles.store.InvalidStreamIdException;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code nosqles stream show <type> <id> [--at-version N | --as-of T]}: a stream's history with its metadata. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "An event stream (one aggregate): show its history with each commit's metadata.",
        subcommands = StreamCommand.ShowCommand.class)
final class StreamCommand extends GroupCommand {
    StreamCommand() {
        super("show");
    }

    /** An instant as ISO-8601: {@code 2026-03-01T10:00:00Z} or with an offset. */
    static Instant instant(String option, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notUtc) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new UsageException(option + " must be an ISO-8601 instant such as 2026-03-01T10:00:00Z, not "
                        + abbreviate(value));
            }
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }

    /** An instant for a table: to the millisecond (the JSON keeps it whole). */
    static String time(Instant t) {
        return t == null ? "-" : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The events of stream <type>-<id> in version order with their metadata (time, principal, "
                    + "correlation, causation and message ids; pseudo events flagged); --json adds each event's "
                    + "stored data (personal data stays encrypted). One Query of the events table.")
    static final class ShowCommand extends Subcommand<StreamCommand> {
        @Parameters(index = "0", paramLabel = "TYPE", description = "The aggregate type, e.g. Order.")
        String type;

        @Parameters(index = "1", paramLabel = "ID", description = "The aggregate id.")
        String id;

        @Option(names = "--at-version", paramLabel = "N", description = "Only versions 1 to N.")
        Long atVersion;

        @Option(names = "--as-of", paramLabel = "T",
                description = "Only the commits written at or before instant T (ISO-8601, e.g. 2026-03-01T10:00:00Z).")
        String asOf;

        @Option(names = "--json", description = "JSON for scripts instead of a table (with each event's data).")
        boolean json;

        @Override
        public Integer call() {
            if (atVersion != null && asOf != null) {
                throw new UsageException("--at-version and --as-of exclude each other");
            }
            if (atVersion != null && atVersion < 1) {
                throw new UsageException("--at-version must be at least 1, not " + atVersion);
            }
            HistoryQuery query = atVersion != null ? HistoryQuery.atVersion(atVersion)
                    : asOf != null ? HistoryQuery.asOf(instant("--as-of", asOf)) : HistoryQuery.all();
            Target target = parent.target();
            PrintWriter out = spec.commandLine().getOut();
            StreamHistory history;
            try (DynamoDbClient dynamo = Clients.dynamoDb(target)) {
                history = new StreamHistories(DynamoDbEventStore.builder().client(dynamo)
                        .tableName(target.eventsTable()).build()).history(type, id, query);
            } catch (InvalidStreamIdException e) {
                throw new UsageException(e.getMessage());
            } catch (StreamNotFoundException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("nosqles: no stream " + e.streamId() + " in " + target.description());
                err.flush();
                return Nosqles.FAILED;
            }
            if (json) {
                out.println(OperationsJson.of(target, "stream", history));
            } else {
                out.println("Stream " + type + "-" + id + (atVersion != null ? " at version " + atVersion
                        : asOf != null ? " as of " + query.asOf() : "") + " of " + target.description() + ": "
                        + history.entries().size() + " event(s), version " + history.lastVersion());
                TextTable table = new TextTable("VERSION", "TIME", "TYPE", "PRINCIPAL", "CORRELATION", "CAUSATION",
                        "MESSAGE ID", "PSEUDO");
                for (HistoryEntry e : history.entries()) {
                    table.row(Long.toString(e.version()), time(e.recordedAt()), e.type()
                                    + (e.schemaVersion() == 1 ? "" : " (v" + e.schemaVersion() + ")"),
                            orDash(e.principal()), orDash(e.correlationId()), orDash(e.causationId()),
                            orDash(e.messageId()), e.pseudo() ? "yes" : "");
                }
                table.print(out);
            }
            out.flush();
            return 0;
        }
    }
}
