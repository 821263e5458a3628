package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class MotoServerTest {

    @Test
    void the_project_starts_moto_from_its_virtualenv_and_dynamodb_answers() {
        try (LocalAws aws = LocalAws.startMoto(); DynamoDbClient dynamo = aws.dynamoDb()) {
            assertThat(aws.description()).startsWith("moto 5.2.5 at http://127.0.0.1:");
            assertThat(dynamo.listTables().tableNames()).isEmpty();
        }
    }
}
