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
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The launcher rolls a cancelled TransactWriteItems back from an undo log of the items it names, where moto
 * deep-copies every table it touches (see serve_moto.py): a cancelled transaction must still leave every table it
 * touched exactly as it was, including items that the transaction put, updated or deleted before the item whose
 * condition failed, on two tables; and its stream must show nothing of it, to the iterators already open as to
 * new ones. The launcher also answers a Query on a table's own key from the queried partition alone; the
 * results must be moto's, pages and conditions included.
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

    @Test
    void a_cancelled_transaction_leaves_no_record_in_the_stream_and_open_iterators_see_the_next_write() {
        try (LocalAws aws = LocalAws.startMoto(); DynamoDbClient dynamo = aws.dynamoDb();
                DynamoDbStreamsClient streams = aws.configure(DynamoDbStreamsClient.builder()).build()) {
            String streamArn = dynamo.createTable(b -> b.tableName("events").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("v").attributeType(ScalarAttributeType.N).build())
                    .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("v").keyType(KeyType.RANGE).build())
                    .streamSpecification(StreamSpecification.builder().streamEnabled(true)
                            .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build()))
                    .tableDescription().latestStreamArn();
            dynamo.putItem(b -> b.tableName("events").item(Map.of("k", s("s"), "v", n(1), "x", s("first"))));
            String shardId = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0)
                    .shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            GetRecordsResponse first = streams.getRecords(b -> b.shardIterator(iterator));
            assertThat(first.records()).hasSize(1);

            List<TransactWriteItem> cancelled = List.of(
                    TransactWriteItem.builder().put(p -> p.tableName("events")
                            .item(Map.of("k", s("s"), "v", n(2), "x", s("phantom")))).build(),
                    TransactWriteItem.builder().update(u -> u.tableName("events").key(Map.of("k", s("s"), "v", n(1)))
                            .updateExpression("SET x = :y").expressionAttributeValues(Map.of(":y", s("changed"))))
                            .build(),
                    TransactWriteItem.builder().conditionCheck(c -> c.tableName("events")
                            .key(Map.of("k", s("other"), "v", n(1))).conditionExpression("attribute_exists(k)")).build());
            assertThatThrownBy(() -> dynamo.transactWriteItems(b -> b.transactItems(cancelled)))
                    .isInstanceOf(TransactionCanceledException.class);
            dynamo.putItem(b -> b.tableName("events").item(Map.of("k", s("s"), "v", n(2), "x", s("second"))));

            GetRecordsResponse next = streams.getRecords(b -> b.shardIterator(first.nextShardIterator()));
            assertThat(next.records()).extracting(r -> r.dynamodb().newImage().get("x").s()).containsExactly("second");
            assertThat(next.records().get(0).eventName()).isEqualTo(OperationType.INSERT);
            String fresh = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            assertThat(streams.getRecords(b -> b.shardIterator(fresh)).records())
                    .extracting(r -> r.dynamodb().newImage().get("x").s()).containsExactly("first", "second");
            assertThat(dynamo.query(b -> b.tableName("events").keyConditionExpression("k = :k")
                    .expressionAttributeValues(Map.of(":k", s("s")))).items())
                    .extracting(item -> item.get("x").s()).containsExactly("first", "second");
        }
    }

    @Test
    void a_query_on_the_table_key_answers_from_its_partition_with_pages_order_and_conditions() {
        try (LocalAws aws = LocalAws.startMoto(); DynamoDbClient dynamo = aws.dynamoDb()) {
            dynamo.createTable(b -> b.tableName("events").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("v").attributeType(ScalarAttributeType.N).build())
                    .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("v").keyType(KeyType.RANGE).build()));
            // written out of order, across partitions
            for (int v : List.of(7, 3, 9, 1, 5, 2, 8, 4, 6, 10)) {
                for (String k : List.of("a", "b", "c")) {
                    dynamo.putItem(b -> b.tableName("events").item(Map.of("k", s(k), "v", n(v))));
                }
            }
            Map<String, AttributeValue> b = Map.of(":k", s("b"), ":from", n(3));
            List<Integer> forward = new ArrayList<>();
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                var page = dynamo.query(q -> q.tableName("events").keyConditionExpression("k = :k AND v >= :from")
                        .expressionAttributeValues(b).limit(3).exclusiveStartKey(from));
                page.items().forEach(item -> forward.add(Integer.parseInt(item.get("v").n())));
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
            assertThat(forward).containsExactly(3, 4, 5, 6, 7, 8, 9, 10);

            var backward = dynamo.query(q -> q.tableName("events").keyConditionExpression("k = :k")
                    .expressionAttributeValues(Map.of(":k", s("c"))).scanIndexForward(false).limit(2)).items();
            assertThat(backward).extracting(item -> item.get("v").n()).containsExactly("10", "9");
            assertThat(dynamo.query(q -> q.tableName("events").keyConditionExpression("k = :k")
                    .expressionAttributeValues(Map.of(":k", s("absent")))).items()).isEmpty();
        }
    }

    @Test
    void a_key_that_cannot_be_a_number_gets_motos_own_answer_not_a_server_error() {
        try (LocalAws aws = LocalAws.startMoto(); DynamoDbClient dynamo = aws.dynamoDb()) {
            dynamo.createTable(b -> b.tableName("numbers").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("k")
                            .attributeType(ScalarAttributeType.N).build())
                    .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build()));
            AttributeValue notANumber = AttributeValue.fromN("abc");
            assertThatThrownBy(() -> dynamo.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
                    .put(p -> p.tableName("numbers").item(Map.of("k", notANumber))).build())))
                    .isInstanceOfSatisfying(software.amazon.awssdk.services.dynamodb.model.DynamoDbException.class,
                            e -> assertThat(e.statusCode()).isEqualTo(400));
            // moto answers such a Query with no items (DynamoDB would refuse it); the patch must not turn it into a 500
            assertThat(dynamo.query(q -> q.tableName("numbers").keyConditionExpression("k = :k")
                    .expressionAttributeValues(Map.of(":k", notANumber))).items()).isEmpty();
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(int value) {
        return AttributeValue.fromN(Integer.toString(value));
    }
}
