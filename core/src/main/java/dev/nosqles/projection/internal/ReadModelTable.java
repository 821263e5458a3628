package dev.nosqles.projection.internal;

import dev.nosqles.projection.Freshness;
import dev.nosqles.projection.InvalidCursorException;
import dev.nosqles.projection.InvalidCursorException.Reason;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.projection.Projection;
import dev.nosqles.subscription.HandlerContext;
import dev.nosqles.subscription.ScopeWrites;
import dev.nosqles.subscription.Subscriber;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.LongConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The read-models table's layout and row operations (ADR 0007). One table holds every version of every read
 * model:
 * <pre>
 * pk      S  {name}#{version}#{rowKey}                       table key
 * v       N  the row's revision: a random number, new at each write (optimistic concurrency, below)
 * gsi1pk  S  {name}#{version}#{partition of the 1st index}   index gsi1 (projection ALL), absent when null
 * gsi1sk  S  sort value of the 1st index
 * gsi2pk  S  {name}#{version}#{partition of the 2nd index}   index gsi2
 * gsi2sk  S  sort value of the 2nd index
 * (each row component)                                       see {@link RowCodec}
 * </pre>
 * A version's rows never mix with another's: every key starts with {@code name#version#}.
 *
 * <p>Rows may be shared by several aggregates (a total per customer), which two stream shards, or two rebuild
 * segments, feed at the same time. So a change of a row that was read in the scope is conditional on the row being
 * as it was read: a Put or Delete of a row read with revision r carries {@code v = r}, a Put of a row read as
 * absent {@code attribute_not_exists(pk)}; a row put without having been read is written as it is (last writer
 * wins, as asked). A condition that fails cancels the scope's transaction, checkpoint included: the scope fails
 * and is handed over again (Lambda retries the batch from it) with fresh reads. No update is lost.
 *
 * <p>Page cursors: {@code base64url(payload || HMAC-SHA256(payload))}, payload = the version read, the index, a
 * SHA-256 digest of (name, index, partition, scope, order) and the query's LastEvaluatedKey. Checked in this
 * order: not base64url or too short (MALFORMED), MAC (FORGED, compared in constant time), digest (FOREIGN: another
 * query or scope), version still readable (EXPIRED).
 */
public final class ReadModelTable {
    public static final String PK = "pk";
    /** The row's revision (optimistic concurrency). */
    public static final String REVISION = "v";
    /** Attribute names a row component may not take. */
    public static final java.util.Set<String> RESERVED = Projection.RESERVED_COMPONENTS;

    private static final int MAC_BYTES = 32;
    private static final int CURSOR_FORMAT = 1;
    private static final int BATCH_WRITE_LIMIT = 25;

    private final DynamoDbClient client;
    private final String tableName;
    private final SecretKeySpec cursorKey;
    /** Null: none configured. */
    private final dev.nosqles.privacy.SubjectKeys keys;

    /**
     * @param cursorKey the secret that signs page cursors, at least 32 bytes
     */
    public ReadModelTable(DynamoDbClient client, String tableName, byte[] cursorKey) {
        this(client, tableName, cursorKey, null);
    }

    /**
     * @param cursorKey the secret that signs page cursors, at least 32 bytes
     * @param keys the subject keys events are decrypted with and personal row components encrypted with (ADR
     *             0008); null for none
     */
    public ReadModelTable(DynamoDbClient client, String tableName, byte[] cursorKey,
                          dev.nosqles.privacy.SubjectKeys keys) {
        this.keys = keys;
        this.client = Objects.requireNonNull(client, "client");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        if (cursorKey == null || cursorKey.length < 32) {
            throw new IllegalArgumentException("the cursor key must have at least 32 bytes");
        }
        this.cursorKey = new SecretKeySpec(cursorKey.clone(), "HmacSHA256");
    }

    public String tableName() {
        return tableName;
    }

    /** Creates the table with its two indexes, on demand (for tests and local runs; template.yaml declares it). */
    public static void createTable(DynamoDbClient client, String tableName) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (String name : List.of(PK, "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")) {
            attributes.add(AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S)
                    .build());
        }
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (int i = 1; i <= Projection.MAX_INDEXES; i++) {
            indexes.add(GlobalSecondaryIndex.builder().indexName(indexName(i))
                    .keySchema(KeySchemaElement.builder().attributeName(indexPk(i)).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(indexSk(i)).keyType(KeyType.RANGE).build())
                    .projection(software.amazon.awssdk.services.dynamodb.model.Projection.builder()
                            .projectionType(ProjectionType.ALL).build()).build());
        }
        try {
            client.createTable(CreateTableRequest.builder().tableName(tableName)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(attributes)
                    .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build())
                    .globalSecondaryIndexes(indexes)
                    .build());
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        client.waiter().waitUntilTableExists(b -> b.tableName(tableName));
    }

    static String indexName(int i) {
        return "gsi" + i;
    }

    static String indexPk(int i) {
        return "gsi" + i + "pk";
    }

    static String indexSk(int i) {
        return "gsi" + i + "sk";
    }

    /** The key prefix of one version's rows: {@code name#version#}. */
    public static String prefix(String name, int version) {
        return name + "#" + version + "#";
    }

    /** The table key of a row. */
    public static Map<String, AttributeValue> key(String name, int version, String rowKey) {
        return Map.of(PK, AttributeValue.fromS(prefix(name, version) + rowKey));
    }

    /** The item of a row: its components, its key and its index keys (the revision is added when it is written). */
    public static <R extends Record> Map<String, AttributeValue> item(Projection<R> projection, int version, R row) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(RowCodec.of(projection.rowType()).encode(row));
        item.put(PK, AttributeValue.fromS(prefix(projection.name(), version) + projection.key(row)));
        List<Projection.Index<R>> indexes = projection.indexes();
        for (int i = 0; i < indexes.size(); i++) {
            String partition = indexes.get(i).partition().apply(row);
            String sort = indexes.get(i).sort().apply(row);
            if (partition != null && sort != null) { // a sparse index: a row without a value is not in it
                item.put(indexPk(i + 1), AttributeValue.fromS(prefix(projection.name(), version) + partition));
                item.put(indexSk(i + 1), AttributeValue.fromS(sort));
            }
        }
        return item;
    }

    /**
     * A subscriber that feeds one version of a read model: its checkpoints are kept under {@code checkpointName};
     * each aggregate's events of a batch are projected into a buffer ({@link BufferedRows}: read-your-writes, the
     * last change of a row wins; a row not in the buffer is read with a consistent GetItem) and written, one Put or
     * Delete per changed row, in the transaction that moves that aggregate's checkpoint.
     */
    public <R extends Record> Subscriber subscriber(Projection<R> projection, int version, String checkpointName) {
        Objects.requireNonNull(projection, "projection");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
        Subscriber.Builder builder = Subscriber.builder(checkpointName).subjectKeys(keys);
        Object attachmentKey = new Object(); // this subscriber's buffer in each scope
        for (String type : projection.aggregateTypes()) {
            bind(builder, projection, projection.binding(type).orElseThrow(), version, attachmentKey);
        }
        return builder.build();
    }

    private <E, R extends Record> void bind(Subscriber.Builder builder, Projection<R> projection,
                                            Projection.Binding<E, R> binding, int version, Object attachmentKey) {
        builder.on(binding.aggregate(), (envelope, ctx) -> {
            RowWrites<R> rows = rowWrites(ctx, attachmentKey, projection, version);
            binding.handler().project(envelope, rows.rows);
        });
    }

    private <R extends Record> RowWrites<R> rowWrites(HandlerContext ctx, Object key, Projection<R> projection,
                                                      int version) {
        @SuppressWarnings("unchecked")
        RowWrites<R> rows = ctx.attachment(key, () -> new RowWrites<>(projection, version));
        return rows;
    }

    /** A scope's row buffer as writes with the checkpoint, conditional on the rows read being unchanged. */
    private final class RowWrites<R extends Record> implements ScopeWrites {
        private static final String NO_REVISION = "";

        private final Projection<R> projection;
        private final int version;
        private final BufferedRows<R> rows;
        /** Per row key read or written in this scope: its revision, NO_REVISION (older rows), or empty (absent). */
        private final Map<String, Optional<String>> revisions = new HashMap<>();
        /** The revisions the last writes() gave, taken on by flushed(). */
        private final Map<String, Optional<String>> writing = new HashMap<>();

        RowWrites(Projection<R> projection, int version) {
            this.projection = projection;
            this.version = version;
            this.rows = new BufferedRows<>(projection, this::load);
        }

        private Optional<R> load(String key) {
            GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(true)
                    .key(key(projection.name(), version, key)));
            if (!response.hasItem() || response.item().isEmpty()) {
                revisions.put(key, Optional.empty());
                return Optional.empty();
            }
            AttributeValue revision = response.item().get(REVISION);
            revisions.put(key, Optional.of(revision != null && revision.n() != null ? revision.n() : NO_REVISION));
            return Optional.of(RowCodec.of(projection.rowType()).decode(
                    PersonalRows.decrypt(projection, response.item(), keys)));
        }

        @Override
        public int size() {
            return rows.size();
        }

        @Override
        public List<TransactWriteItem> writes() {
            writing.clear();
            List<TransactWriteItem> writes = new ArrayList<>();
            rows.changes().forEach((key, row) -> {
                Optional<String> prior = revisions.get(key);
                String condition = null;
                Map<String, AttributeValue> values = new HashMap<>();
                if (prior != null && prior.isEmpty()) {
                    condition = "attribute_not_exists(#pk)";
                } else if (prior != null && prior.get().equals(NO_REVISION)) {
                    condition = "attribute_exists(#pk) AND attribute_not_exists(#v)";
                } else if (prior != null) {
                    condition = "#v = :v";
                    values.put(":v", AttributeValue.fromN(prior.get()));
                }
                Map<String, String> names = new HashMap<>();
                if (condition != null && condition.contains("#pk")) {
                    names.put("#pk", PK);
                }
                if (condition != null && condition.contains("#v")) {
                    names.put("#v", REVISION);
                }
                names = names.isEmpty() ? null : names;
                Map<String, AttributeValue> conditionValues = values.isEmpty() ? null : values;
                if (row.isPresent()) {
                    String revision = Long.toString(java.util.concurrent.ThreadLocalRandom.current()
                            .nextLong(1, Long.MAX_VALUE));
                    Map<String, AttributeValue> item = new LinkedHashMap<>(PersonalRows.encrypt(projection,
                            row.get(), item(projection, version, row.get()), keys));
                    item.put(REVISION, AttributeValue.fromN(revision));
                    writes.add(TransactWriteItem.builder().put(Put.builder().tableName(tableName).item(item)
                            .conditionExpression(condition).expressionAttributeNames(names)
                            .expressionAttributeValues(conditionValues).build()).build());
                    writing.put(key, Optional.of(revision));
                } else {
                    writes.add(TransactWriteItem.builder().delete(Delete.builder().tableName(tableName)
                            .key(key(projection.name(), version, key)).conditionExpression(condition)
                            .expressionAttributeNames(names).expressionAttributeValues(conditionValues).build())
                            .build());
                    writing.put(key, Optional.empty());
                }
            });
            return writes;
        }

        @Override
        public void flushed() {
            revisions.putAll(writing);
            writing.clear();
            rows.flushed();
        }

        @Override
        public void savepoint() {
            rows.savepoint();
        }

        @Override
        public void rollback() {
            rows.rollback();
        }
    }

    /** A row of a version (eventually consistent read). */
    public <R extends Record> Optional<R> get(Projection<R> projection, int version, String key) {
        return read(projection, version, key, false);
    }

    private <R extends Record> Optional<R> read(Projection<R> projection, int version, String key,
                                                boolean consistent) {
        GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(consistent)
                .key(key(projection.name(), version, key)));
        return response.hasItem() && !response.item().isEmpty()
                ? Optional.of(RowCodec.of(projection.rowType()).decode(
                        PersonalRows.decrypt(projection, response.item(), keys))) : Optional.empty();
    }

    /**
     * One page of an index. Without a cursor it reads {@code servingVersion}; with one, the version the cursor was
     * issued for, if {@code readable} still accepts it (else the cursor is EXPIRED). The page's freshness is
     * unknown here (the registry knows it).
     *
     * @throws InvalidCursorException the cursor is not one this query issued (see the class comment)
     * @throws IllegalArgumentException the projection has no such index
     */
    public <R extends Record> Page<R> query(Projection<R> projection, int servingVersion, IntPredicate readable,
                                           String index, String partition, PageRequest request) {
        Objects.requireNonNull(partition, "partition");
        int position = projection.indexes().indexOf(projection.index(index)) + 1;
        byte[] digest = digest(projection.name(), index, partition, request.scope(), request.newestFirst());
        int version = servingVersion;
        Map<String, AttributeValue> startKey = null;
        if (request.cursor().isPresent()) {
            Cursor cursor = open(projection.name(), request.cursor().get(), position, digest);
            if (!readable.test(cursor.version())) {
                throw new InvalidCursorException(projection.name(), Reason.EXPIRED);
            }
            version = cursor.version();
            startKey = cursor.lastKey();
        }
        String indexPartition = prefix(projection.name(), version) + partition;
        RowCodec<R> codec = RowCodec.of(projection.rowType());
        List<R> rows = new ArrayList<>();
        Map<String, AttributeValue> lastKey = startKey;
        do {
            Map<String, AttributeValue> from = lastKey;
            int want = request.limit() - rows.size();
            QueryResponse response = client.query(b -> b.tableName(tableName).indexName(indexName(position))
                    .keyConditionExpression("#p = :p")
                    .expressionAttributeNames(Map.of("#p", indexPk(position)))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(indexPartition)))
                    .scanIndexForward(!request.newestFirst())
                    .limit(want)
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : response.items()) {
                if (rows.size() < request.limit()) {
                    rows.add(codec.decode(PersonalRows.decrypt(projection, item, keys)));
                }
            }
            lastKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (rows.size() < request.limit() && lastKey != null);
        Optional<String> next = lastKey == null ? Optional.empty()
                : Optional.of(seal(version, position, digest, lastKey));
        return new Page<>(rows, next, version, Freshness.unknown());
    }

    private record Cursor(int version, Map<String, AttributeValue> lastKey) {
    }

    private String seal(int version, int index, byte[] digest, Map<String, AttributeValue> lastKey) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CURSOR_FORMAT);
            out.writeInt(version);
            out.writeByte(index);
            out.write(digest);
            Map<String, AttributeValue> sorted = new TreeMap<>(lastKey);
            out.writeByte(sorted.size());
            for (Map.Entry<String, AttributeValue> e : sorted.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(Objects.requireNonNull(e.getValue().s(), "key attributes are strings"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] payload = bytes.toByteArray();
        byte[] mac = mac(payload);
        byte[] sealed = new byte[payload.length + mac.length];
        System.arraycopy(payload, 0, sealed, 0, payload.length);
        System.arraycopy(mac, 0, sealed, payload.length, mac.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
    }

    private Cursor open(String readModel, String cursor, int index, byte[] digest) {
        byte[] sealed;
        try {
            sealed = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new InvalidCursorException(readModel, Reason.MALFORMED);
        }
        if (sealed.length <= MAC_BYTES + 1 + 4 + 1 + MAC_BYTES) {
            throw new InvalidCursorException(readModel, Reason.MALFORMED);
        }
        int payloadLength = sealed.length - MAC_BYTES;
        byte[] payload = java.util.Arrays.copyOf(sealed, payloadLength);
        byte[] mac = java.util.Arrays.copyOfRange(sealed, payloadLength, sealed.length);
        if (!MessageDigest.isEqual(mac, mac(payload))) {
            throw new InvalidCursorException(readModel, Reason.FORGED);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            if (in.readUnsignedByte() != CURSOR_FORMAT) {
                throw new InvalidCursorException(readModel, Reason.MALFORMED);
            }
            int version = in.readInt();
            int cursorIndex = in.readUnsignedByte();
            byte[] cursorDigest = in.readNBytes(digest.length);
            if (cursorIndex != index || !MessageDigest.isEqual(cursorDigest, digest)) {
                throw new InvalidCursorException(readModel, Reason.FOREIGN);
            }
            int n = in.readUnsignedByte();
            Map<String, AttributeValue> lastKey = new HashMap<>();
            for (int i = 0; i < n; i++) {
                lastKey.put(in.readUTF(), AttributeValue.fromS(in.readUTF()));
            }
            if (in.read() != -1 || lastKey.isEmpty()) {
                throw new InvalidCursorException(readModel, Reason.MALFORMED);
            }
            return new Cursor(version, lastKey);
        } catch (IOException e) {
            throw new InvalidCursorException(readModel, Reason.MALFORMED);
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(cursorKey);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] digest(String name, String index, String partition, String scope, boolean newestFirst) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(name, index, partition, scope, newestFirst ? "desc" : "asc")) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16),
                        (byte) (bytes.length >>> 8), (byte) bytes.length});
                sha.update(bytes);
            }
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * Deletes every row of one version: a Scan of the table (consistent, only the keys, filtered on the version's
     * key prefix) and BatchWriteItem deletes of 25, unprocessed items retried with a back-off. Reports the rows
     * deleted so far after each batch; returns them all.
     */
    public long deleteVersion(String name, int version, LongConsumer progress) {
        String prefix = prefix(name, version);
        long deleted = 0;
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> from = startKey;
            ScanResponse page = client.scan(b -> b.tableName(tableName).consistentRead(true)
                    .filterExpression("begins_with(#pk, :prefix)")
                    .projectionExpression("#pk")
                    .expressionAttributeNames(Map.of("#pk", PK))
                    .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(prefix)))
                    .exclusiveStartKey(from));
            List<Map<String, AttributeValue>> keys = page.items();
            for (int i = 0; i < keys.size(); i += BATCH_WRITE_LIMIT) {
                List<WriteRequest> requests = new ArrayList<>();
                for (Map<String, AttributeValue> k : keys.subList(i, Math.min(keys.size(), i + BATCH_WRITE_LIMIT))) {
                    requests.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                            .key(Map.of(PK, k.get(PK))).build()).build());
                }
                deleteAll(requests);
                deleted += requests.size();
                progress.accept(deleted);
            }
            startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey()
                    : null;
        } while (startKey != null);
        return deleted;
    }

    private void deleteAll(List<WriteRequest> requests) {
        Map<String, List<WriteRequest>> pending = Map.of(tableName, requests);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            Map<String, List<WriteRequest>> ask = pending;
            BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(ask));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            pending = pending.isEmpty() || pending.values().stream().allMatch(List::isEmpty) ? Map.of() : pending;
            if (!pending.isEmpty()) {
                try {
                    Thread.sleep(Math.min(1_000L, 20L << Math.min(attempt, 6)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while deleting rows", e);
                }
            }
        }
    }
}
