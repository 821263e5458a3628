package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.localaws.LocalAws;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * {@link BillMeter}'s unit rules on a real table with a global secondary index (projection ALL), through a client
 * built like any other (the meter is on every client by the SDK's global interceptor file).
 */
class BillMeterTest {
    private static final String BIG = "x".repeat(1500);
    private final DynamoDbClient dynamoDb = LocalAws.shared().dynamoDb();
    private final String table = "bill-meter-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void createTable() {
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("gpk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .globalSecondaryIndexes(g -> g.indexName("by-gpk") // DynamoDB wants 3 to 255 characters (MiniStack checks it, moto does not)
                        .keySchema(k -> k.attributeName("gpk").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
    }

    @AfterEach
    void dropTable() {
        dynamoDb.deleteTable(b -> b.tableName(table));
        dynamoDb.close();
    }

    @Test
    void a_write_costs_the_larger_of_the_item_before_and_after_and_again_on_each_index_holding_it() {
        BillMeter.Counts counts;
        try (BillMeter.Recording recording = BillMeter.start(LocalAws.shared().dynamoDb(), Map.of(table, "T"))) {
            dynamoDb.putItem(b -> b.tableName(table).item(Map.of("pk", s("a"), "gpk", s("x"), "data", s(BIG))));
            BillMeter.Counts afterPut = recording.counts();
            assertThat(afterPut.get("DynamoDB", "T", "WRU")).isEqualTo(2.0); // ~1.5 KB
            assertThat(afterPut.get("DynamoDB", "T", "WRU (indexes)")).isEqualTo(2.0);

            // shrinks to ~0.1 KB: charged by the 1.5 KB before; the index entry is rewritten too
            dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("pk", s("a")))
                    .updateExpression("SET #d = :d").expressionAttributeNames(Map.of("#d", "data"))
                    .expressionAttributeValues(Map.of(":d", s("small"))));
            BillMeter.Counts afterShrink = recording.counts().minus(afterPut);
            assertThat(afterShrink.get("DynamoDB", "T", "WRU")).isEqualTo(2.0);
            assertThat(afterShrink.get("DynamoDB", "T", "WRU (indexes)")).isEqualTo(2.0);

            // moves to another index key: a delete and a put in the index
            BillMeter.Counts before = recording.counts();
            dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("pk", s("a")))
                    .updateExpression("SET gpk = :g").expressionAttributeValues(Map.of(":g", s("y"))));
            BillMeter.Counts afterMove = recording.counts().minus(before);
            assertThat(afterMove.get("DynamoDB", "T", "WRU")).isEqualTo(1.0);
            assertThat(afterMove.get("DynamoDB", "T", "WRU (indexes)")).isEqualTo(2.0);

            // a failed conditional write is charged, on a line of its own
            assertThatThrownBy(() -> dynamoDb.putItem(b -> b.tableName(table).item(Map.of("pk", s("a")))
                    .conditionExpression("attribute_not_exists(pk)")))
                    .isInstanceOf(ConditionalCheckFailedException.class);
            dynamoDb.getItem(b -> b.tableName(table).key(Map.of("pk", s("a"))));
            dynamoDb.getItem(b -> b.tableName(table).key(Map.of("pk", s("a"))).consistentRead(true));
            dynamoDb.deleteItem(b -> b.tableName(table).key(Map.of("pk", s("a"))));
            // a failed write on a missing item: one unit, nothing on the index it would have entered
            assertThatThrownBy(() -> dynamoDb.putItem(b -> b.tableName(table)
                    .item(Map.of("pk", s("b"), "gpk", s("z"))).conditionExpression("attribute_exists(pk)")))
                    .isInstanceOf(ConditionalCheckFailedException.class);
            counts = recording.counts();
        }
        assertThat(counts.get("DynamoDB", "T", "WRU (failed writes)")).isEqualTo(2.0);
        assertThat(counts.get("DynamoDB", "T", "PutItem (failed)")).isEqualTo(2.0);
        assertThat(counts.get("DynamoDB", "T", "RRU")).isEqualTo(1.5); // eventual 0.5 + consistent 1
        assertThat(counts.get("DynamoDB", "T", "WRU")).isEqualTo(2 + 2 + 1 + 1.0); // the delete: 1
        assertThat(counts.get("DynamoDB", "T", "WRU (indexes)")).isEqualTo(2 + 2 + 2 + 1.0);
        assertThat(counts.get("DynamoDB", "T", "DeleteItem")).isEqualTo(1.0);
    }

    @Test
    void nothing_is_counted_outside_a_recording_and_two_recordings_cannot_overlap() {
        DynamoDbClient inspector = LocalAws.shared().dynamoDb();
        try (BillMeter.Recording recording = BillMeter.start(inspector, Map.of())) {
            assertThatThrownBy(() -> BillMeter.start(inspector, Map.of())).isInstanceOf(IllegalStateException.class);
            recording.close();
            dynamoDb.getItem(b -> b.tableName(table).key(Map.of("pk", s("nobody"))));
            assertThat(recording.counts().counts()).isEmpty();
        }
        inspector.close();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
