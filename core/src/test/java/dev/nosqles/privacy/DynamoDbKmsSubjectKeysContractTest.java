package dev.nosqles.privacy;

import org.junit.jupiter.api.BeforeAll;

/** The contract against moto (DynamoDB keys table, KMS) through the SDK. */
class DynamoDbKmsSubjectKeysContractTest extends SubjectKeysContract {
    private static String table;

    @BeforeAll
    static void setUp() {
        DynamoDbKmsSubjectKeysTest.setUp();
        table = DynamoDbKmsSubjectKeysTest.newKeysTable();
    }

    @Override
    SubjectKeys keys() {
        return DynamoDbKmsSubjectKeysTest.keys(table, new DynamoDbKmsSubjectKeysTest.KmsProbe()).build();
    }

    /** A process of its own on the same table: nothing cached. */
    @Override
    SubjectKeys elsewhere(SubjectKeys keys) {
        return keys();
    }
}
