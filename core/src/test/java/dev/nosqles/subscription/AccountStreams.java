package dev.nosqles.subscription;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Accounts on moto for the dispatcher's tests: fresh events and checkpoints tables, histories of five one-event
 * commits, and their commit items as a stream batch would hand them over.
 */
final class AccountStreams {
    final DynamoDbClient client = TestTables.client(new dev.nosqles.capacity.CapacityMeter());
    final DynamoDbEventStore store;
    final CountingCheckpoints checkpoints;
    final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;

    AccountStreams(String name) {
        store = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, name))
                .build();
        String checkpointTable = name + "-checkpoints-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, checkpointTable);
        checkpoints = new CountingCheckpoints(DynamoDbCheckpointStore.builder().client(client)
                .tableName(checkpointTable).build());
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    }

    static StreamId account(String id) {
        return StreamId.of("Account", id);
    }

    /** Five commits of one account, one event each: opened, three deposits, a withdrawal. */
    void history(String id) {
        accounts.create(id, new BankAccount.Open("owner-" + id));
        accounts.update(id, new BankAccount.Deposit(10));
        accounts.update(id, new BankAccount.Deposit(20));
        accounts.update(id, new BankAccount.Deposit(30));
        accounts.update(id, new BankAccount.Withdraw(5));
    }

    /** The commits of the accounts, each account's in version order, one account after another. */
    List<Map<String, AttributeValue>> commits(String... ids) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (String id : ids) {
            items.addAll(client.query(b -> b.tableName(store.tableName()).consistentRead(true)
                    .keyConditionExpression("#s = :s")
                    .expressionAttributeNames(Map.of("#s", EventTables.STREAM_ID_ATTRIBUTE))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(account(id).value()))))
                    .items());
        }
        return Collections.unmodifiableList(items);
    }
}
