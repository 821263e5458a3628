package dev.nosqles.cli;

import dev.nosqles.operations.PastDueSaga;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code nosqles sagas stuck}: the sagas past due. */
@Command(name = "sagas", mixinStandardHelpOptions = true,
        description = "All sagas: stuck lists those waiting for a reply beyond their deadline.",
        subcommands = SagasCommand.StuckCommand.class)
final class SagasCommand extends GroupCommand {
    SagasCommand() {
        super("stuck");
    }

    @Command(name = "stuck", mixinStandardHelpOptions = true,
            description = "The sagas past due: waiting for a reply beyond their deadline, which the saga sweeper "
                    + "has not acted on yet (it runs every minute; one listed for longer is stuck). Reads the saga "
                    + "deadlines table (one Scan; it holds running sagas only) and each listed saga's stream.")
    static final class StuckCommand extends Subcommand<SagasCommand> {
        @Option(names = "--json", description = "JSON for scripts instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            Target target = parent.target();
            Instant now = Instant.now();
            List<PastDueSaga> due;
            try (DynamoDbClient dynamo = Clients.dynamoDb(target)) {
                due = SagaCommand.timelines(dynamo, target).pastDue(now);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(OperationsJson.of(target, "sagas", due));
            } else if (due.isEmpty()) {
                out.println("No saga past due in " + target.description() + " at "
                        + now.truncatedTo(ChronoUnit.SECONDS) + ".");
            } else {
                out.println(due.size() + " saga(s) past due in " + target.description() + " at "
                        + now.truncatedTo(ChronoUnit.SECONDS) + ":");
                TextTable table = new TextTable("SAGA", "TYPE", "STEP", "AWAITING", "DUE", "OVERDUE", "RESENT");
                for (PastDueSaga s : due) {
                    table.row(s.sagaId(), s.sagaType(), StreamCommand.orDash(s.step()), s.awaitingCommandId(),
                            StreamCommand.time(s.dueAt()), ProjectionsCommand.lag(Duration.ofMillis(s.overdueMillis())),
                            Integer.toString(s.attempt()));
                }
                table.print(out);
            }
            out.flush();
            return 0;
        }
    }
}
