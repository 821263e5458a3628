package dev.nosqles.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The dispatcher tests' tables on DynamoDB (moto): the events, the checkpoints, and an effects table in which a
 * handler counts each event it handled, in the checkpoint's transaction.
 */
record DispatchTables(DynamoDbClient client, DynamoDbEventStore store, DynamoDbCheckpointStore checkpoints,
                      String effectsTable) {

    static DispatchTables create(DynamoDbClient client, String prefix) {
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(client)
                .tableName(TestTables.newEventsTable(client, prefix)).build();
        String checkpointTable = prefix + "-checkpoints-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, checkpointTable);
        String effectsTable = prefix + "-effects-" + UUID.randomUUID().toString().substring(0, 8);
        dev.nosqles.dynamodb.EventTables.createSnapshotsTable(client, effectsTable); // pk streamId
        return new DispatchTables(client, store,
                DynamoDbCheckpointStore.builder().client(client).tableName(checkpointTable).build(), effectsTable);
    }

    /** Adds the event to the effects item {@code subscriber|streamId}: one more in its count, its id in its set. */
    TransactWriteItem countIt(String subscriber, EventEnvelope<?> event) {
        return TransactWriteItem.builder().update(Update.builder().tableName(effectsTable)
                .key(Map.of("streamId", AttributeValue.fromS(subscriber + "|" + event.streamId().value())))
                .updateExpression("ADD #n :one, #ids :id")
                .expressionAttributeNames(Map.of("#n", "count", "#ids", "eventIds"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                        ":id", AttributeValue.fromSs(List.of(event.eventId().toString()))))
                .build()).build();
    }

    /**
     * Writes four commits (five events) per account, then, with {@code noops}, a pseudo event's commit each; returns
     * the commit items in the order written, account after account.
     */
    List<Map<String, AttributeValue>> writeHistory(
            AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts, int accountCount,
            boolean noops) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int a = 0; a < accountCount; a++) {
            String id = "acc-" + a;
            accounts.create(id, new BankAccount.Open("owner-" + a));
            accounts.update(id, new BankAccount.Deposit(10));
            accounts.update(id, new BankAccount.DepositTwice(1, 2));
            accounts.update(id, new BankAccount.Withdraw(3));
            if (noops) {
                accounts.update(id, new BankAccount.Noop(), EventMetadata.empty().withMessageId("noop-" + a));
            }
            items.addAll(client.query(b -> b.tableName(store.tableName()).consistentRead(true)
                    .keyConditionExpression("#s = :s")
                    .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StreamId.of("Account", id).value()))))
                    .items());
        }
        return items;
    }

    /** Each effects item's count, checked against its distinct event ids (an event counted twice shows). */
    Map<String, Long> effectCounts() {
        Map<String, Long> counts = new HashMap<>();
        for (Map<String, AttributeValue> item : client.scan(b -> b.tableName(effectsTable).consistentRead(true))
                .items()) {
            long count = Long.parseLong(item.get("count").n());
            assertThat(item.get("eventIds").ss()).hasSize((int) count);
            counts.put(item.get("streamId").s(), count);
        }
        return counts;
    }
}
