package dev.nosqles.cli;

import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.StreamSubscribers;
import dev.nosqles.operations.SagaTimeline;
import dev.nosqles.operations.SagaTimelines;
import dev.nosqles.operations.TimelineEntry;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.store.InvalidStreamIdException;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code nosqles saga show <sagaId>} or {@code nosqles saga show --started-by <eventId>}: a saga's timeline. */
@Command(name = "saga", mixinStandardHelpOptions = true,
        description = "One saga: show its timeline (commands with their message ids, the participants' handling, "
                + "replies, deadlines, the sweeper's actions).",
        subcommands = SagaCommand.ShowCommand.class)
final class SagaCommand extends GroupCommand {
    /** The application's saga types. */
    static final List<String> SAGA_TYPES = List.of(CreateOrderSaga.TYPE);

    SagaCommand() {
        super("show");
    }

    /** The application's sagas on a target's tables. */
    static SagaTimelines timelines(DynamoDbClient dynamo, Target target) {
        return new SagaTimelines(DynamoDbEventStore.builder().client(dynamo).tableName(target.eventsTable()).build(),
                DynamoDbSagaDeadlines.builder().client(dynamo).tableName(target.table("SagaDeadlinesTable")).build(),
                SAGA_TYPES,
                StreamSubscribers.participantChannels());
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The saga's timeline in time order: STARTED, COMMAND_SENT / COMMAND_RESENT (to a "
                    + "participant's channel, with the message id and the deadline), COMMAND_HANDLED (the "
                    + "participant's commit that holds the command's message id), REPLY, DEADLINE_EXPIRED (by the "
                    + "deadline message), SWEEPER (by the saga-sweeper), COMPENSATING, COMPLETED, FAILED. Reads "
                    + "the saga's stream and, per command, the commit of its target that holds its message id.")
    static final class ShowCommand extends Subcommand<SagaCommand> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "SAGA_ID", description = "The saga's id.")
        String sagaId;

        @Option(names = "--started-by", paramLabel = "EVENT_ID",
                description = "Instead of SAGA_ID: the saga started by this event (its id in `stream show`, e.g. "
                        + "an order's OrderCreated): a saga's id is derived from the event that started it.")
        String startedBy;

        @Option(names = "--json", description = "JSON for scripts instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            if ((sagaId == null) == (startedBy == null)) {
                throw new UsageException("give either SAGA_ID or --started-by EVENT_ID");
            }
            String given = sagaId != null ? sagaId : startedBy;
            if (given.isBlank()) {
                throw new UsageException((sagaId != null ? "the saga id" : "--started-by") + " must not be blank");
            }
            if (sagaId != null) {
                try {
                    StreamId.of(SAGA_TYPES.get(0), sagaId);
                } catch (InvalidStreamIdException e) {
                    throw new UsageException("not a saga id: " + StreamCommand.abbreviate(sagaId)
                            + " (1 to 128 of A-Z a-z 0-9 . _ : -)");
                }
            }
            Target target = parent.target();
            Optional<SagaTimeline> found;
            try (DynamoDbClient dynamo = Clients.dynamoDb(target)) {
                SagaTimelines timelines = timelines(dynamo, target);
                found = sagaId != null ? timelines.timeline(sagaId) : timelines.startedBy(startedBy);
            }
            if (found.isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("nosqles: no saga " + (sagaId != null ? StreamCommand.abbreviate(sagaId)
                        : "started by event " + StreamCommand.abbreviate(startedBy)) + " of type "
                        + String.join(", ", SAGA_TYPES) + " in " + target.description());
                err.flush();
                return Nosqles.FAILED;
            }
            SagaTimeline t = found.get();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(OperationsJson.of(target, "saga", t));
            } else {
                out.println("Saga " + t.sagaId() + " (" + t.sagaType() + ") " + t.status() + ": started "
                        + StreamCommand.time(t.startedAt())
                        + (t.endedAt() == null ? "" : ", ended " + StreamCommand.time(t.endedAt()))
                        + "; lanes " + String.join(", ", t.lanes()));
                TextTable table = new TextTable("TIME", "KIND", "STEP", "FROM -> TO", "MESSAGE ID", "DETAIL",
                        "DEADLINE");
                for (TimelineEntry e : t.entries()) {
                    table.row(StreamCommand.time(e.at()), e.kind(), StreamCommand.orDash(e.step()),
                            e.from().equals(e.to()) ? e.from() : e.from() + " -> " + e.to(),
                            StreamCommand.orDash(e.messageId()), StreamCommand.orDash(e.detail()),
                            StreamCommand.time(e.deadline()));
                }
                table.print(out);
            }
            out.flush();
            return 0;
        }
    }
}
