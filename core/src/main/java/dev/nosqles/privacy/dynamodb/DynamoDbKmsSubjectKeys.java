package dev.nosqles.privacy.dynamodb;

import dev.nosqles.privacy.SubjectKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Subject keys in a DynamoDB keys table (partition key {@code subject}), each an AES-256 data key wrapped by a KMS
 * key (envelope encryption, ADR 0008), with a bounded, expiring cache of unwrapped keys: at most one KMS call per
 * subject per cache period. Forgetting replaces the key item by a tombstone.
 */
public final class DynamoDbKmsSubjectKeys implements SubjectKeys {
    private DynamoDbKmsSubjectKeys(Builder b) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates the keys table (for tests and local runs; template.yaml declares it). */
    public static void createTable(DynamoDbClient client, String tableName) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public ForgetOutcome forget(String subject) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    @Override
    public boolean isForgotten(String subject) {
        throw new UnsupportedOperationException("issue 11: in progress");
    }

    /** Builds {@link DynamoDbKmsSubjectKeys}; validation in {@link #build()}. */
    public static final class Builder {
        DynamoDbClient dynamoDb;
        String tableName;
        KmsClient kms;
        String kmsKeyId;
        Duration cacheTtl = Duration.ofMinutes(5);
        int cacheSize = 10_000;
        Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder dynamoDb(DynamoDbClient client) {
            this.dynamoDb = client;
            return this;
        }

        public Builder tableName(String name) {
            this.tableName = name;
            return this;
        }

        public Builder kms(KmsClient client) {
            this.kms = client;
            return this;
        }

        /** The KMS key (id, ARN or alias) that wraps the data keys. */
        public Builder kmsKeyId(String keyId) {
            this.kmsKeyId = keyId;
            return this;
        }

        /** How long an unwrapped key is kept in memory (default 5 minutes): a forget takes effect within it. */
        public Builder cacheTtl(Duration ttl) {
            this.cacheTtl = ttl;
            return this;
        }

        /** At most this many unwrapped keys in memory (default 10,000). */
        public Builder cacheSize(int size) {
            this.cacheSize = size;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public DynamoDbKmsSubjectKeys build() {
            return new DynamoDbKmsSubjectKeys(this);
        }
    }
}
