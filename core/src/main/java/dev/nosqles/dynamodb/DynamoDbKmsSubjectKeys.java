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
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * Subject keys in a DynamoDB keys table (partition key {@code subject}), each an AES-256 data key (ADR 0008), with a
 * bounded, expiring cache of unwrapped keys. Forgetting replaces the subject's key item by a tombstone.
 *
 * <p>Two levels of keys (ADR 0014): the subjects' keys are sealed (AES-256-GCM, bound to their subject) by one
 * key-encryption key of the table, and only that key is wrapped by the KMS key. So a process makes one KMS call per
 * cache period in all, not one per subject: it unwraps the key-encryption key once and then opens and seals the
 * subjects' keys itself. Forgetting is still per subject: the tombstone replaces the only copy of the sealed key.
 *
 * <p>Items:
 * <ul>
 *   <li>a subject's key: {@code {subject, sealed (B), sealedWith, createdAt}} ({@code sealedWith} names the
 *       key-encryption key's item);</li>
 *   <li>a subject's key written before ADR 0014: {@code {subject, wrapped (B), kmsKeyId, createdAt}}, wrapped by KMS
 *       itself (still read, one KMS call per such subject per cache period);</li>
 *   <li>the key-encryption key: {@code {subject: "$nosqles:key-encryption-key:1", wrapped (B), kmsKeyId,
 *       createdAt}}; subjects starting with {@value #RESERVED_PREFIX} are refused;</li>
 *   <li>the tombstone {@code {subject, forgottenAt}}.</li>
 * </ul>
 * A key (a subject's or the key-encryption key) is created on first use, then put conditional on no item for it; the
 * loser of a race between two processes reads the winner's key, so all agree on one key. The cache keeps tombstones
 * too (negative entries); a forget in another process takes effect here within the cache TTL. Any failure of KMS or
 * DynamoDB is a {@link KeyServiceUnavailableException}, never taken for "forgotten".
 */
public final class DynamoDbKmsSubjectKeys implements SubjectKeys {
    static final String SUBJECT = "subject";
    static final String WRAPPED = "wrapped";
    static final String KMS_KEY_ID = "kmsKeyId";
    static final String CREATED_AT = "createdAt";
    static final String FORGOTTEN_AT = "forgottenAt";
    static final String SEALED = "sealed";
    static final String SEALED_WITH = "sealedWith";
    /** Subjects starting with this are the store's own items, refused as subjects. */
    public static final String RESERVED_PREFIX = "$nosqles:";
    /** The key-encryption key's item (version 1: the only one so far). */
    static final String KEY_ENCRYPTION_KEY = RESERVED_PREFIX + "key-encryption-key:1";
    private static final String SEAL_AAD = "nosqles-subject-key-1|";

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
    /** The unwrapped key-encryption key and when it expires; null until first needed. Guarded by cache. */
    private Cached keyEncryptionKey;
    private final Object keyEncryptionKeyLock = new Object();

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

    /**
     * {@inheritDoc}
     *
     * <p>Here: unless the subject's key (or tombstone) is cached, a new key is sealed and put conditional on no item
     * for the subject, without the read {@link #encrypt} makes first. When the put finds an item (the expectation was
     * wrong, or the SDK retried the put after it landed), DynamoDB returns that item with the failed condition and it
     * is used as {@link #encrypt} would use it: a key is opened, a tombstone refused. A new subject costs one write
     * instead of a read and a write; an existing one a failed write (a write unit) instead of a consistent read
     * (a read unit).
     */
    @Override
    public byte[] encryptForNewSubject(String subject, byte[] plaintext, byte[] aad) {
        requireSubject(subject);
        Cached cached = cached(subject);
        byte[] key;
        if (cached != null) {
            key = cached.key();
        } else {
            synchronized (lock(subject)) {
                cached = cached(subject);
                key = cached != null ? cached.key() : newKey(subject);
            }
        }
        if (key == null) {
            throw new SubjectForgottenException(subject);
        }
        return Aead.encrypt(key, plaintext, aad);
    }

    /**
     * A subject's key put without a read first (the winner's, or null for a tombstone, when an item is there). Only
     * with the key-encryption key in place: without it, {@link #encrypt}'s path, which makes that key only for a
     * subject without an item (so a sealed key is never met by a new key-encryption key while its own is missing).
     */
    private byte[] newKey(String subject) {
        try {
            return remember(subject, createKey(subject, keyEncryptionKey(false)));
        } catch (NoKeyEncryptionKeyException noKeyEncryptionKey) {
            return key(subject, true);
        } catch (SdkException e) {
            throw new KeyServiceUnavailableException(subject, e);
        }
    }

    /**
     * Reads and unwraps the table's key-encryption key into the cache (one {@code GetItem}, one KMS {@code Decrypt}),
     * so that the first subject key this process seals or opens within the cache period needs neither: for a
     * function's init, where it can overlap other work. Creates nothing: without the key's item it returns false and
     * the first new subject makes it, as without a prefetch. A failure (KMS or DynamoDB unreachable, access denied:
     * any {@code RuntimeException}) returns false and is left to the first use, which meets it as it would have.
     *
     * @return whether the key-encryption key is cached now
     */
    public boolean prefetchKeyEncryptionKey() {
        try {
            keyEncryptionKey(false);
            return true;
        } catch (RuntimeException leftToTheFirstUse) {
            return false;
        }
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
                    return remember(subject, createKey(subject, keyEncryptionKey(true)));
                }
                if (item == null) {
                    // neither a key nor a tombstone: only a tombstone means forgotten; not cached (it may get one)
                    throw new SubjectKeyMissingException(subject);
                }
                return remember(subject, unwrap(subject, item));
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
     * Generates and stores a subject's key, sealed by the key-encryption key: ours, or the winner's of a race with
     * another process (null: a tombstone won, the subject was forgotten meanwhile).
     */
    private byte[] createKey(String subject, byte[] kek) {
        byte[] plaintext = Aead.newKey();
        byte[] sealed = Aead.encrypt(kek, plaintext, sealAad(subject));
        Race race = putFirst(subject, Map.of(SEALED, AttributeValue.fromB(SdkBytes.fromByteArray(sealed)),
                SEALED_WITH, AttributeValue.fromS(KEY_ENCRYPTION_KEY)));
        if (race.won()) {
            return plaintext;
        }
        if (race.winner() == null) {
            throw new KeyServiceUnavailableException(subject, race.lost());
        }
        return unwrap(subject, race.winner());
    }

    /**
     * A conditional put's outcome: won, or lost to an item written first ({@code winner}: as the failed condition
     * returned it, else read consistently; null if it is gone again).
     */
    private record Race(boolean won, Map<String, AttributeValue> winner, ConditionalCheckFailedException lost) {
    }

    /** Puts the item of {@code subject} (with {@code createdAt}) unless one is there: the winner's after a race. */
    private Race putFirst(String subject, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(attributes);
        item.put(SUBJECT, AttributeValue.fromS(subject));
        item.put(CREATED_AT, AttributeValue.fromS(clock.instant().toString()));
        try {
            dynamoDb.putItem(b -> b.tableName(tableName).item(item)
                    .conditionExpression("attribute_not_exists(#s)")
                    .expressionAttributeNames(Map.of("#s", SUBJECT))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Race(true, null, null);
        } catch (ConditionalCheckFailedException lost) {
            // the item that failed the condition comes with it (no read unit); an API without it: read it
            return new Race(false, lost.hasItem() && !lost.item().isEmpty() ? lost.item() : read(subject), lost);
        }
    }

    /** The key-encryption key if cached and not expired, else null. */
    private byte[] cachedKeyEncryptionKey() {
        synchronized (cache) {
            return keyEncryptionKey != null && clock.instant().isBefore(keyEncryptionKey.expires())
                    ? keyEncryptionKey.key() : null;
        }
    }

    /**
     * The table's key-encryption key, unwrapped: cached for the cache period, else read and unwrapped (one KMS call),
     * else, only when {@code create} (a new subject's key is to be sealed), generated (one KMS call) and put
     * conditional on none, the winner's taken after a race.
     *
     * @throws IllegalStateException there is none and {@code create} is false: a sealed key exists without it (its
     *         item was deleted or not restored); nothing is written, so a restore of the item can still open them
     */
    private byte[] keyEncryptionKey(boolean create) {
        byte[] cached = cachedKeyEncryptionKey();
        if (cached != null) {
            return cached;
        }
        synchronized (keyEncryptionKeyLock) {
            cached = cachedKeyEncryptionKey();
            if (cached != null) {
                return cached;
            }
            Map<String, AttributeValue> item = read(KEY_ENCRYPTION_KEY);
            byte[] key;
            if (item != null) {
                key = kmsUnwrap(item);
            } else if (!create) {
                throw new NoKeyEncryptionKeyException();
            } else {
                GenerateDataKeyResponse generated = kms.generateDataKey(b -> b.keyId(kmsKeyId)
                        .keySpec(DataKeySpec.AES_256));
                Race race = putFirst(KEY_ENCRYPTION_KEY, Map.of(
                        WRAPPED, AttributeValue.fromB(generated.ciphertextBlob()),
                        KMS_KEY_ID, AttributeValue.fromS(generated.keyId())));
                if (race.won()) {
                    key = generated.plaintext().asByteArray();
                } else if (race.winner() == null) {
                    throw new IllegalStateException("the keys table lost its key-encryption key", race.lost());
                } else {
                    key = kmsUnwrap(race.winner());
                }
            }
            synchronized (cache) {
                keyEncryptionKey = new Cached(key, clock.instant().plus(cacheTtl));
            }
            return key;
        }
    }

    /** The keys table has no key-encryption key item (an {@link IllegalStateException}, as before). */
    private static final class NoKeyEncryptionKeyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NoKeyEncryptionKeyException() {
            super("the keys table has no key-encryption key: the subjects' sealed keys cannot be opened until its"
                    + " item is restored");
        }
    }

    /** The subject's data key from its item, or null for a tombstone. */
    private byte[] unwrap(String subject, Map<String, AttributeValue> item) {
        if (item.containsKey(FORGOTTEN_AT)) {
            return null;
        }
        AttributeValue sealed = item.get(SEALED);
        if (sealed != null && sealed.b() != null) {
            AttributeValue with = item.get(SEALED_WITH);
            if (with == null || !KEY_ENCRYPTION_KEY.equals(with.s())) {
                throw new IllegalStateException("a subject's key is sealed with an unknown key-encryption key");
            }
            try {
                return Aead.decrypt(keyEncryptionKey(false), sealed.b().asByteArray(), sealAad(subject));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("a subject's sealed key does not authenticate (moved or altered)");
            }
        }
        return kmsUnwrap(item);
    }

    /** A key wrapped by KMS itself (the key-encryption key, or a subject's key written before ADR 0014). */
    private byte[] kmsUnwrap(Map<String, AttributeValue> item) {
        AttributeValue wrapped = item.get(WRAPPED);
        if (wrapped == null || wrapped.b() == null) {
            throw new IllegalStateException("the keys table holds an item without a wrapped key");
        }
        // the key id in the blob's metadata decides; naming ours keeps a foreign blob from being unwrapped
        AttributeValue keyId = item.get(KMS_KEY_ID);
        return kms.decrypt(b -> b.ciphertextBlob(wrapped.b())
                .keyId(keyId != null && keyId.s() != null ? keyId.s() : kmsKeyId)).plaintext().asByteArray();
    }

    private static byte[] sealAad(String subject) {
        return (SEAL_AAD + subject).getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
        if (subject.startsWith(RESERVED_PREFIX)) {
            throw new IllegalArgumentException("subjects starting with " + RESERVED_PREFIX + " are reserved");
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

        /** The KMS key (id, ARN or alias) that wraps the key-encryption key (and subject keys written before it). */
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
