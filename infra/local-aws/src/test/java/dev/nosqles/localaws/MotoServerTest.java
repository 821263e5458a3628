package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * moto itself, whatever backend the run uses: tagged {@code moto}, so a run on another backend
 * ({@code make test BACKEND=ministack} passes {@code -DexcludedGroups=moto}) does not need moto installed.
 */
@Tag("moto")
class MotoServerTest {

    @Test
    void the_project_starts_moto_from_its_virtualenv_and_dynamodb_answers() {
        try (LocalAws aws = LocalAws.startMoto(); DynamoDbClient dynamo = aws.dynamoDb()) {
            assertThat(aws.description()).startsWith("moto 5.2.5 at http://127.0.0.1:");
            assertThat(dynamo.listTables().tableNames()).isEmpty();
        }
    }
}
