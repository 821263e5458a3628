package dev.nosqles.runtime;

import dev.nosqles.app.Application;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * For tests that read what a local runtime wrote: the runtime's own subject keys (its SubjectKeysTable, wrapped by
 * its PersonalDataKey in the local KMS). Keys in memory cannot read the customers it created: their personal data
 * would throw {@link dev.nosqles.privacy.SubjectKeyMissingException}.
 */
public final class RuntimeKeys {
    private RuntimeKeys() {
    }

    /** The subject keys the runtime's functions use. */
    public static SubjectKeys of(LocalAws aws, LocalResources resources) {
        return DynamoDbKmsSubjectKeys.builder()
                .dynamoDb(aws.dynamoDb())
                .tableName(resources.tableName("SubjectKeysTable"))
                .kms(aws.configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build())
                .kmsKeyId(resources.ref("PersonalDataKey"))
                .build();
    }

    /** The application on the runtime's tables, with the runtime's subject keys. */
    public static Application app(LocalAws aws, LocalResources resources) {
        return Application.onDynamoDb(aws.dynamoDb(), resources.tableName("EventsTable"),
                resources.tableName("SnapshotsTable"), of(aws, resources));
    }
}
