package dev.nosqles.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Another service's FIFO queue on the events topic, as the tests that read what was published set it up. */
final class SubscribedQueues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SubscribedQueues() {
    }

    /** A new FIFO queue subscribed to {@code topicArn} with raw delivery, before anything is published; its URL. */
    static String subscribe(SqsClient sqs, SnsClient sns, String topicArn, String queueName) {
        String url = sqs.createQueue(b -> b.queueName(queueName + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(arn)
                .attributes(Map.of("RawMessageDelivery", "true")));
        return url;
    }

    /** Everything on the queue now, as JSON, deleted once read (two empty receives end it). */
    static List<JsonNode> receiveAll(SqsClient sqs, String queueUrl) {
        List<JsonNode> all = new ArrayList<>();
        for (int emptyReceives = 0, round = 0; emptyReceives < 2 && round < 200; round++) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            emptyReceives = batch.isEmpty() ? emptyReceives + 1 : 0;
            for (Message m : batch) {
                try {
                    all.add(JSON.readTree(m.body()));
                } catch (IOException e) {
                    throw new AssertionError("not JSON on the subscribed queue", e);
                }
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return all;
    }
}
