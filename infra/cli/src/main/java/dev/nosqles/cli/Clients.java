package dev.nosqles.cli;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The AWS SDK clients of a target: its region, credentials and (when set) endpoint. */
final class Clients {
    private Clients() {
    }

    static DynamoDbClient dynamoDb(Target target) {
        return configure(DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()), target)
                .build();
    }

    static CloudFormationClient cloudFormation(Optional<URI> endpoint, Region region,
                                               AwsCredentialsProvider credentials) {
        return configure(CloudFormationClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
                endpoint, region, credentials).build();
    }

    private static <B extends AwsClientBuilder<B, C>, C> B configure(B builder, Target target) {
        return configure(builder, target.endpoint(), target.region(), target.credentials());
    }

    private static <B extends AwsClientBuilder<B, C>, C> B configure(B builder, Optional<URI> endpoint, Region region,
                                                                      AwsCredentialsProvider credentials) {
        builder.region(region).credentialsProvider(credentials);
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }
}
