package dev.nosqles.runtime;

import dev.nosqles.operations.DeadLetterQueues;
import dev.nosqles.operations.SubscriberTypes;
import dev.nosqles.operations.SubscriptionLags;
import dev.nosqles.runtime.console.Console;
import dev.nosqles.runtime.console.OperationsData;
import dev.nosqles.runtime.console.RecentEvents;
import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.QueueDefinition;
import dev.nosqles.runtime.template.Template;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.StreamSubscribers;
import dev.nosqles.operations.SagaTimelines;
import dev.nosqles.operations.StreamHistories;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.store.EventStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The console of the running application ({@link Console}): the operations library's views on the tables and
 * queues the runtime created. The dead-letter queues come from the template (every RedrivePolicy's target, with
 * the queue naming it as its source, and every stream function's on-failure destination); the subscribers whose
 * lag it shows and the saga channels' participants from the reference application's wiring
 * ({@link StreamSubscribers}), its saga type from {@link CreateOrderSaga}. A template without the
 * tables a view reads (EventsTable, CheckpointsTable, SagaDeadlinesTable) gets the console without that view.
 */
final class ConsoleWiring {
    private ConsoleWiring() {
    }

    static Console console(Template template, LocalResources resources, DynamoDbClient dynamoDb, SqsClient sqs,
                           RecentEvents recent) {
        DeadLetterQueues.Builder dlq = DeadLetterQueues.builder().sqs(sqs);
        for (QueueDefinition queue : template.queues()) {
            if (queue.redrive() != null) {
                String target = queue.redrive().deadLetterQueue();
                dlq.queue(target, resources.queueUrl(target), queue.logicalId(), resources.queueUrl(queue.logicalId()));
            }
        }
        Set<String> onFailure = new LinkedHashSet<>();
        for (FunctionDefinition function : template.functions()) {
            function.streamEvents().stream().map(FunctionDefinition.StreamEvent::onFailureQueue)
                    .filter(q -> q != null).forEach(onFailure::add);
        }
        onFailure.forEach(q -> dlq.streamFailures(q, resources.queueUrl(q)));
        boolean events = template.table("EventsTable").isPresent();
        SubscriptionLags lags = events && template.table("CheckpointsTable").isPresent()
                ? new SubscriptionLags(dynamoDb, resources.tableName("EventsTable"),
                        resources.tableName("CheckpointsTable"), subscribers())
                : null;
        StreamHistories histories = null;
        SagaTimelines timelines = null;
        if (events) {
            EventStore store = DynamoDbEventStore.builder().client(dynamoDb)
                    .tableName(resources.tableName("EventsTable")).build();
            histories = new StreamHistories(store);
            timelines = new SagaTimelines(store, template.table("SagaDeadlinesTable").isPresent()
                    ? DynamoDbSagaDeadlines.builder().client(dynamoDb)
                            .tableName(resources.tableName("SagaDeadlinesTable")).build()
                    : SagaDeadlines.none(), List.of(CreateOrderSaga.TYPE), StreamSubscribers.participantChannels());
        }
        return new Console(recent, new OperationsData(histories, timelines, lags, dlq.build()), Clock.systemUTC());
    }

    /** The reference application's stream subscribers (its wiring knows them; the tables do not). */
    private static List<SubscriberTypes> subscribers() {
        List<SubscriberTypes> out = new ArrayList<>();
        StreamSubscribers.withCheckpoints().forEach((name, types) -> out.add(new SubscriberTypes(name, List.copyOf(types))));
        return out;
    }
}
