package dev.nosqles.dynamodb;

import dev.nosqles.privacy.KeyServiceUnavailableException;
import dev.nosqles.privacy.SubjectForgottenException;
import dev.nosqles.privacy.SubjectKeyMissingException;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.privacy.internal.Aead;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * Subject keys in a DynamoDB keys table (partition key {@code subject}), each an AES-256 data key wrapped by a KMS
 * key (envelope encryption, ADR 0008), with a bounded, expiring cache of unwrapped keys: at most one KMS call per
 * subject per cache period. Forgetting replaces the key item by a tombstone.
 *
 * <p>Items: {@code {subject, wrapped (B), kmsKeyId, createdAt}} or the tombstone {@code {subject, forgottenAt}}.
 * A key is created on first encryption: GenerateDataKey, then a PutItem conditional on no item for the subject; the
 * loser of a race between two processes reads the winner's key and unwraps it, so all agree on one key. The
 * cache keeps tombstones too (negative entries); a forget in another process takes effect here within the cache
 * TTL. Any failure of KMS or DynamoDB is a {@link KeyServiceUnavailableException}, never taken for "forgotten".
 */
public final class DynamoDbKmsSubjectKeys implements SubjectKeys {
    static final String SUBJECT = "subject";
    static final String WRAPPED = "wrapped";
    static final String KMS_KEY_ID = "kmsKeyId";
    static final String CREATED_AT = "createdAt";
    static final String FORGOTTEN_AT = "forgottenAt";

    /** A cached key (null: the subject is forgotten) and when the entry expires. */
    private record Cached(byte[] key, Instant expires) {
    }

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final KmsClient kms;
    private final String kmsKeyId;
    private final Duration cacheTtl;
    private final Clock clock;
    private final Map<String, Cached> cache;
    private final Object[] locks = new Object[64];

    private DynamoDbKmsSubjectKeys(Builder b) {
        this.dynamoDb = b.dynamoDb;
        this.tableName = b.tableName;
        this.kms = b.kms;
        this.kmsKeyId = b.kmsKeyId;
        this.cacheTtl = b.cacheTtl;
        this.clock = b.clock;
        int max = b.cacheSize;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > max;
            }
        };
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * A builder; {@link Builder#dynamoDb}, {@link Builder#tableName}, {@link Builder#kms} and
     * {@link Builder#kmsKeyId} are required.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Creates the keys table (for tests and local runs; template.yaml declares it). */
    public static void createTable(DynamoDbClient client, String tableName) {
        try {
            client.createTable(b -> b.tableName(tableName).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(SUBJECT)
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(SUBJECT).keyType(KeyType.HASH).build()));
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        client.waiter().waitUntilTableExists(b -> b.tableName(tableName));
    }

    /** How many unwrapped keys (and tombstones) are cached now. */
    public int cachedSubjects() {
        synchronized (cache) {
            return cache.size();
        }
    }

    @Override
    public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
        byte[] key = key(subject, true);
        if (key == null) {
            throw new SubjectForgottenException(subject);
        }
        return Aead.encrypt(key, plaintext, aad);
    }

    @Override
    public Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
        byte[] key = key(subject, false);
        return key == null ? Optional.empty() : Optional.of(Aead.decrypt(key, ciphertext, aad));
    }

    @Override
    public ForgetOutcome forget(String subject) {
        requireSubject(subject);
        synchronized (lock(subject)) {
            ForgetOutcome outcome;
            try {
                dynamoDb.putItem(b -> b.tableName(tableName)
                        .item(Map.of(SUBJECT, AttributeValue.fromS(subject),
                                FORGOTTEN_AT, AttributeValue.fromS(clock.instant().toString())))
                        .conditionExpression("attribute_not_exists(#f)")
                        .expressionAttributeNames(Map.of("#f", FORGOTTEN_AT)));
                outcome = ForgetOutcome.FORGOTTEN;
            } catch (ConditionalCheckFailedException tombstoneThere) {
                // a tombstone was there: forgotten before (or our own write, retried by the SDK after it landed)
                outcome = ForgetOutcome.ALREADY_FORGOTTEN;
            } catch (SdkException e) {
                throw new KeyServiceUnavailableException(subject, e);
            }
            remember(subject, null);
            return outcome;
        }
    }

    /** The configured cache period ({@link Builder#cacheTtl}; five minutes by default). */
    @Override
    public Duration cacheTtl() {
        return cacheTtl;
    }

    @Override
    public boolean isForgotten(String subject) {
        try {
            return key(subject, false) == null && cachedTombstone(subject);
        } catch (SubjectKeyMissingException neverSeen) {
            return false;
        }
    }

    private boolean cachedTombstone(String subject) {
        synchronized (cache) {
            Cached e = cache.get(subject);
            return e != null && e.key() == null;
        }
    }

    /**
     * The subject's unwrapped key: from the cache, else read (and unwrapped, one KMS call), else created when
     * {@code create}. Null when the subject is forgotten (a tombstone).

     * @throws SubjectKeyMissingException neither a key nor a tombstone, and none is to be created
     */
    private byte[] key(String subject, boolean create) {
        requireSubject(subject);
        Cached cached = cached(subject);
        if (cached != null) {
            return cached.key();
        }
        synchronized (lock(subject)) {
            cached = cached(subject);
            if (cached != null) {
                return cached.key();
            }
            try {
                Map<String, AttributeValue> item = read(subject);
                if (item == null && create) {
                    return remember(subject, createKey(subject));
                }
                if (item == null) {
                    // neither a key nor a tombstone: only a tombstone means forgotten; not cached (it may get one)
                    throw new SubjectKeyMissingException(subject);
                }
                return remember(subject, unwrap(item));
            } catch (SdkException e) {
                throw new KeyServiceUnavailableException(subject, e);
            }
        }
    }

    private Map<String, AttributeValue> read(String subject) {
        GetItemResponse response = dynamoDb.getItem(b -> b.tableName(tableName).consistentRead(true)
                .key(Map.of(SUBJECT, AttributeValue.fromS(subject))));
        return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
    }

    /**
     * Generates and stores a key: ours, or the winner's of a race with another process (null: a tombstone won,
     * the subject was forgotten meanwhile).
     */
    private byte[] createKey(String subject) {
        GenerateDataKeyResponse generated = kms.generateDataKey(b -> b.keyId(kmsKeyId).keySpec(DataKeySpec.AES_256));
        byte[] plaintext = generated.plaintext().asByteArray();
        try {
            dynamoDb.putItem(b -> b.tableName(tableName)
                    .item(Map.of(SUBJECT, AttributeValue.fromS(subject),
                            WRAPPED, AttributeValue.fromB(generated.ciphertextBlob()),
                            KMS_KEY_ID, AttributeValue.fromS(generated.keyId()),
                            CREATED_AT, AttributeValue.fromS(clock.instant().toString())))
                    .conditionExpression("attribute_not_exists(#s)")
                    .expressionAttributeNames(Map.of("#s", SUBJECT)));
            return plaintext;
        } catch (ConditionalCheckFailedException lostRace) {
            Map<String, AttributeValue> winner = read(subject);
            if (winner == null) {
                throw new KeyServiceUnavailableException(subject, lostRace);
            }
            return unwrap(winner);
        }
    }

    /** The data key of an item, or null for a tombstone. */
    private byte[] unwrap(Map<String, AttributeValue> item) {
        if (item.containsKey(FORGOTTEN_AT)) {
            return null;
        }
        AttributeValue wrapped = item.get(WRAPPED);
        if (wrapped == null || wrapped.b() == null) {
            throw new IllegalStateException("the keys table holds an item without a wrapped key");
        }
        // the key id in the blob's metadata decides; naming ours keeps a foreign blob from being unwrapped
        AttributeValue keyId = item.get(KMS_KEY_ID);
        return kms.decrypt(b -> b.ciphertextBlob(wrapped.b())
                .keyId(keyId != null && keyId.s() != null ? keyId.s() : kmsKeyId)).plaintext().asByteArray();
    }

    private Cached cached(String subject) {
        synchronized (cache) {
            Cached e = cache.get(subject);
            if (e == null) {
                return null;
            }
            if (!clock.instant().isBefore(e.expires())) {
                cache.remove(subject);
                return null;
            }
            return e;
        }
    }

    private byte[] remember(String subject, byte[] key) {
        synchronized (cache) {
            cache.put(subject, new Cached(key, clock.instant().plus(cacheTtl)));
        }
        return key;
    }

    private Object lock(String subject) {
        return locks[Math.floorMod(subject.hashCode(), locks.length)];
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("a subject must not be empty");
        }
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

        /** The DynamoDB client (required). Build it once per process. */
        public Builder dynamoDb(DynamoDbClient client) {
            this.dynamoDb = client;
            return this;
        }

        /** The keys table (required). */
        public Builder tableName(String name) {
            this.tableName = name;
            return this;
        }

        /** The KMS client (required). */
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

        /** The clock that ages cached keys; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @throws IllegalStateException a required part is missing (DynamoDB client, table name, KMS client, key id)
         * @throws IllegalArgumentException a cache TTL that is not positive or a cache size below 1
         */
        public DynamoDbKmsSubjectKeys build() {
            Required.part(dynamoDb, "dynamoDb (the DynamoDB client)");
            Required.name(tableName, "tableName");
            Required.part(kms, "kms (the KMS client)");
            Required.name(kmsKeyId, "kmsKeyId");
            if (clock == null) {
                throw new IllegalStateException("clock must not be null");
            }
            if (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.isZero()) {
                throw new IllegalArgumentException("cacheTtl must be positive");
            }
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cacheSize must be at least 1");
            }
            return new DynamoDbKmsSubjectKeys(this);
        }
    }
}
