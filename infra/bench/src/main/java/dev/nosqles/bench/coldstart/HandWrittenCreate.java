package dev.nosqles.bench.coldstart;

import dev.nosqles.dynamodb.EventTables;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * {@code POST /customers} written by hand on the bare SDK: the requests the framework's {@code ApiHandler} makes for
 * it, in the same order, with items of about the same size, without the framework (no JSON library, no repository,
 * no logging). Section 5 times it as the floor the same work costs; section 5's counted run checks that it makes the
 * handler's requests, as many of each operation.
 *
 * <ol>
 *   <li>GetItem of the keys table's key-encryption key (it exists: the section creates it beforehand);</li>
 *   <li>KMS Decrypt of that key (ADR 0014);</li>
 *   <li>PutItem of the subject's new data key, sealed by the key-encryption key, unless one is there (the subject
 *       is new: its key is put without a read first, {@code SubjectKeys.encryptForNewSubject});</li>
 *   <li>PutItem of the CustomerCreated commit, its name sealed by the subject's key, unless the stream exists.</li>
 * </ol>
 * The key-table attribute names are the framework's stored layout (ADR 0014): the key-encryption key is read as the
 * framework wrote it.
 */
public final class HandWrittenCreate {
    static final String KEY_ENCRYPTION_KEY = "$nosqles:key-encryption-key:1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private HandWrittenCreate() {
    }

    /** Creates one customer; its HTTP status as the handler would answer ("201"). */
    public static String createCustomer(DynamoDbClient dynamoDb, KmsClient kms, String keysTable, String eventsTable,
                                        String name, String creditLimit) {
        String customerId = UUID.randomUUID().toString();
        // the customer's personal data is keyed by its id (SubjectOf.stream); its events by its stream
        String subject = customerId;
        String streamId = "Customer-" + customerId;
        Map<String, AttributeValue> kekItem = dynamoDb.getItem(b -> b.tableName(keysTable).consistentRead(true)
                .key(Map.of("subject", AttributeValue.fromS(KEY_ENCRYPTION_KEY)))).item();
        if (kekItem == null || !kekItem.containsKey("wrapped")) {
            throw new IllegalStateException("the keys table has no key-encryption key");
        }
        byte[] kek = kms.decrypt(b -> b.ciphertextBlob(kekItem.get("wrapped").b())
                .keyId(kekItem.get("kmsKeyId").s())).plaintext().asByteArray();
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        byte[] sealedKey = seal(kek, dataKey, "nosqles-subject-key-1|" + subject);
        String now = Instant.now().toString();
        dynamoDb.putItem(b -> b.tableName(keysTable)
                .item(Map.of("subject", AttributeValue.fromS(subject),
                        "sealed", AttributeValue.fromB(SdkBytes.fromByteArray(sealedKey)),
                        "sealedWith", AttributeValue.fromS(KEY_ENCRYPTION_KEY),
                        "createdAt", AttributeValue.fromS(now)))
                .conditionExpression("attribute_not_exists(#s)")
                .expressionAttributeNames(Map.of("#s", "subject"))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        String sealedName = Base64.getEncoder().encodeToString(
                seal(dataKey, name.getBytes(StandardCharsets.UTF_8), "nosqles-pd-1|" + subject + "|name"));
        // the event as the handler stores it: the name's token, the limit as a string, the owner (an anonymous
        // caller), no email (left out when absent)
        String data = "{\"name\":{\"$pd\":1,\"s\":\"" + subject + "\",\"c\":\"" + sealedName
                + "\"},\"creditLimit\":\"" + creditLimit + "\",\"owner\":\"anonymous\"}";
        Map<String, AttributeValue> event = Map.of(
                "id", AttributeValue.fromS(UUID.randomUUID().toString()),
                "type", AttributeValue.fromS("CustomerCreated"),
                "v", AttributeValue.fromN("1"),
                "data", AttributeValue.fromS(data));
        dynamoDb.putItem(b -> b.tableName(eventsTable)
                .item(Map.of(EventTables.STREAM_ID_ATTRIBUTE, AttributeValue.fromS(streamId),
                        EventTables.VERSION_ATTRIBUTE, AttributeValue.fromN("1"),
                        "lastVersion", AttributeValue.fromN("1"),
                        "ts", AttributeValue.fromS(now),
                        "events", AttributeValue.fromL(List.of(AttributeValue.fromM(event)))))
                .conditionExpression("attribute_not_exists(#s)")
                .expressionAttributeNames(Map.of("#s", EventTables.STREAM_ID_ATTRIBUTE))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        return "201";
    }

    /** AES-256-GCM: a random 12-byte nonce, then the ciphertext and its tag. */
    private static byte[] seal(byte[] key, byte[] plaintext, String aad) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
