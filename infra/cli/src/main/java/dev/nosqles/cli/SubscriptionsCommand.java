package dev.nosqles.cli;

import dev.nosqles.app.saga.StreamSubscribers;
import dev.nosqles.operations.SubscriberTypes;
import dev.nosqles.operations.SubscriptionLag;
import dev.nosqles.operations.SubscriptionLags;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code nosqles subscriptions}: each stream subscriber's lag (events and streams it has not handled yet, the age
 * of the oldest), from the events table and the checkpoints. The subscribers are the application's (the sagas'
 * stream function's, the event publisher) and every read-model version the registry feeds.
 */
@Command(name = "subscriptions", mixinStandardHelpOptions = true,
        description = "Each stream subscriber's lag: events and streams written but not yet handled by it, and the "
                + "age of the oldest pending event. Reads the whole events table (one Scan) and each subscriber's "
                + "checkpoints (one Query each).")
final class SubscriptionsCommand implements Callable<Integer> {
    @ParentCommand
    Nosqles root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "JSON for scripts instead of a table.")
    boolean json;

    @Option(names = "--max-items", paramLabel = "N",
            description = "Fail rather than read more than N items of a table (default: ${DEFAULT-VALUE}).")
    long maxItems = SubscriptionLags.DEFAULT_MAX_ITEMS;

    @Override
    public Integer call() {
        if (maxItems < 1) {
            throw new UsageException("--max-items must be at least 1");
        }
        Target target = root.target();
        List<SubscriberTypes> subscribers = new ArrayList<>();
        StreamSubscribers.withCheckpoints().forEach((name, types) -> subscribers.add(
                new SubscriberTypes(name, types.stream().sorted().toList())));
        List<Projection<?>> projections = root.context.projections().get();
        List<ReadModelStatus> statuses;
        try (ReadModelOperations ops = root.context.connector().connect(target, projections,
                dev.nosqles.dynamodb.DynamoDbReadModels.Builder.DEFAULT_DROP_GRACE)) {
            statuses = ops.list();
        }
        for (ReadModelStatus s : statuses) {
            List<String> types = projections.stream().filter(p -> p.name().equals(s.name())).findFirst()
                    .map(p -> p.aggregateTypes().stream().sorted().toList()).orElse(List.of());
            for (ReadModelStatus.Version v : s.versions()) {
                if (v.state() != ReadModelStatus.State.DROPPING && !types.isEmpty()) {
                    subscribers.add(new SubscriberTypes(dev.nosqles.dynamodb.DynamoDbReadModels.checkpointSubscriber(s.name(), v.version()),
                            types));
                }
            }
        }
        Instant now = Instant.now();
        List<SubscriptionLag> lags;
        try (DynamoDbClient dynamo = Clients.dynamoDb(target)) {
            lags = new SubscriptionLags(dynamo, target.eventsTable(), target.checkpointsTable(), subscribers,
                    maxItems).lags(now);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(OperationsJson.of(target, "subscriptions", lags));
        } else {
            out.println("Subscriptions of " + target.description() + " at " + now.truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS) + ":");
            TextTable table = new TextTable("SUBSCRIBER", "EVENTS BEHIND", "STREAMS BEHIND", "OLDEST PENDING", "AGE",
                    "LAST HANDLED");
            for (SubscriptionLag l : lags) {
                table.row(l.subscriber(), String.format(Locale.ROOT, "%,d", l.eventsBehind()),
                        String.format(Locale.ROOT, "%,d", l.streamsBehind()),
                        l.oldestPendingAt() == null ? "-" : l.oldestPendingAt().toString(),
                        l.oldestPendingAt() == null ? "-" : ProjectionsCommand.lag(Duration.ofMillis(l.ageMillis())),
                        l.lastHandledAt() == null ? "never" : l.lastHandledAt().toString());
            }
            table.print(out);
            out.println("Relays without checkpoints (their receivers deduplicate; their backlog is their function's"
                    + " SubscriptionLag): " + String.join(", ", StreamSubscribers.relays().keySet()));
        }
        out.flush();
        return 0;
    }
}
