package dev.nosqles.runtime.esm;

import dev.nosqles.localaws.LocalAws;
import java.util.Objects;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients the pollers use. The pollers do not close them.
 *
 * @param dynamoDb checkpoints and table descriptions
 * @param streams  DynamoDB Streams reads
 * @param sqs      SQS mappings and on-failure destinations
 * @param region   the region put in events ({@code awsRegion})
 */
public record EsmClients(DynamoDbClient dynamoDb, DynamoDbStreamsClient streams, SqsClient sqs, String region) {
    public EsmClients {
        Objects.requireNonNull(dynamoDb, "dynamoDb");
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(sqs, "sqs");
        StreamMapping.requireText(region, "region");
    }

    /** New clients pointed at {@code aws}. */
    public static EsmClients on(LocalAws aws) {
        return new EsmClients(
                aws.dynamoDb(),
                aws.configure(DynamoDbStreamsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                aws.region().id());
    }
}
