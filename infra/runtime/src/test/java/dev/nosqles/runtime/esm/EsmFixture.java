package dev.nosqles.runtime.esm;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Tables, queues and items for the mapping tests, on the JVM-wide local AWS. */
final class EsmFixture {
    final EsmClients clients = EsmClients.on(LocalAws.shared());

    String newEventsTable(String purpose) {
        return TestTables.newEventsTable(clients.dynamoDb(), purpose);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Writes events {@code from..to} (inclusive) of one event stream, each with an {@code n} attribute. */
    void putEvents(String table, String streamId, int from, int to) {
        for (int n = from; n <= to; n++) {
            int version = n;
            clients.dynamoDb().putItem(b -> b.tableName(table).item(Map.of(
                    "streamId", AttributeValue.fromS(streamId),
                    "version", AttributeValue.fromN(String.valueOf(version)),
                    "n", AttributeValue.fromN(String.valueOf(version)))));
        }
    }

    String newQueue(String purpose, Map<QueueAttributeName, String> attributes) {
        return clients.sqs().createQueue(b -> b.queueName(unique(purpose)).attributes(attributes)).queueUrl();
    }

    /** Every message now in the queue (deleted as read). */
    List<Message> takeAll(String queueUrl) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = clients.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).messageSystemAttributeNamesWithStrings("All")).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            batch.forEach(m -> clients.sqs().deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        }
    }

    int messagesIn(String queueUrl) {
        Map<QueueAttributeName, String> a = clients.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    static int n(DynamodbEvent.DynamodbStreamRecord record) {
        return Integer.parseInt(record.getDynamodb().getNewImage().get("n").getN());
    }

    static List<Integer> ns(DynamodbEvent event) {
        return event.getRecords().stream().map(EsmFixture::n).toList();
    }
}
