package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The launcher backs up each table once per TransactWriteItems (moto copies it once per item; see serve_moto.py):
 * a cancelled transaction must still leave every table it touched exactly as it was, including items that the
 * transaction put, updated or deleted before the item whose condition failed, on two tables.
 */
@Tag("moto")
class MotoTransactionBackupTest {

    @Test
    void a_cancelled_transaction_of_many_items_on_two_tables_leaves_both_tables_as_they_were() {
        try (LocalAws aws = LocalAws.startMoto(); DynamoDbClient dynamo = aws.dynamoDb()) {
            for (String table : List.of("a", "b")) {
                dynamo.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(AttributeDefinition.builder().attributeName("k")
                                .attributeType(ScalarAttributeType.S).build())
                        .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build()));
                dynamo.putItem(b -> b.tableName(table).item(Map.of("k", s("kept"), "n", n(1))));
            }
            List<TransactWriteItem> items = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String table = i % 2 == 0 ? "a" : "b";
                String key = "new-" + i;
                items.add(TransactWriteItem.builder().put(p -> p.tableName(table)
                        .item(Map.of("k", s(key), "n", n(2)))).build());
            }
            items.add(TransactWriteItem.builder().update(u -> u.tableName("a").key(Map.of("k", s("kept")))
                    .updateExpression("SET n = :two").expressionAttributeValues(Map.of(":two", n(2)))).build());
            items.add(TransactWriteItem.builder().delete(d -> d.tableName("b").key(Map.of("k", s("kept")))).build());
            items.add(TransactWriteItem.builder().conditionCheck(c -> c.tableName("a").key(Map.of("k", s("absent")))
                    .conditionExpression("attribute_exists(k)")).build());

            assertThatThrownBy(() -> dynamo.transactWriteItems(b -> b.transactItems(items)))
                    .isInstanceOf(TransactionCanceledException.class);

            for (String table : List.of("a", "b")) {
                var scan = dynamo.scan(b -> b.tableName(table).consistentRead(true)).items();
                assertThat(scan).as(table).containsExactly(Map.of("k", s("kept"), "n", n(1)));
            }
            // and a transaction that succeeds still applies every item
            dynamo.transactWriteItems(b -> b.transactItems(items.subList(0, 40)));
            assertThat(dynamo.scan(b -> b.tableName("a")).count() + dynamo.scan(b -> b.tableName("b")).count())
                    .isEqualTo(42);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(int value) {
        return AttributeValue.fromN(Integer.toString(value));
    }
}
