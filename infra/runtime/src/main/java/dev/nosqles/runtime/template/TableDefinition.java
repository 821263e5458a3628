package dev.nosqles.runtime.template;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code AWS::DynamoDB::Table}.
 *
 * @param logicalId           its logical id
 * @param tableName           TableName, or null to let the runtime name it (as CloudFormation does)
 * @param partitionKey        the HASH key
 * @param sortKey             the RANGE key, or null
 * @param streamViewType      StreamSpecification.StreamViewType, or null without a stream
 * @param billingMode         BillingMode (PROVISIONED when absent)
 * @param pointInTimeRecovery PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled
 * @param sseEnabled          SSESpecification.SSEEnabled
 * @param globalSecondaryIndexes GlobalSecondaryIndexes, in template order
 */
public record TableDefinition(String logicalId, String tableName, KeyAttribute partitionKey, KeyAttribute sortKey,
                              String streamViewType, String billingMode, boolean pointInTimeRecovery,
                              boolean sseEnabled, List<GlobalSecondaryIndex> globalSecondaryIndexes) {
    public TableDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(billingMode, "billingMode");
        globalSecondaryIndexes = List.copyOf(globalSecondaryIndexes);
    }

    /** A table without global secondary indexes. */
    public TableDefinition(String logicalId, String tableName, KeyAttribute partitionKey, KeyAttribute sortKey,
                           String streamViewType, String billingMode, boolean pointInTimeRecovery,
                           boolean sseEnabled) {
        this(logicalId, tableName, partitionKey, sortKey, streamViewType, billingMode, pointInTimeRecovery,
                sseEnabled, List.of());
    }

    public Optional<KeyAttribute> sortKeyIfAny() {
        return Optional.ofNullable(sortKey);
    }

    public boolean hasStream() {
        return streamViewType != null;
    }

    /** A key attribute: its name and scalar type (S, N or B). */
    public record KeyAttribute(String name, String type) {
        public KeyAttribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * A global secondary index.
     *
     * @param indexName        IndexName
     * @param partitionKey     its HASH key
     * @param sortKey          its RANGE key, or null
     * @param projectionType   Projection.ProjectionType (ALL, KEYS_ONLY or INCLUDE)
     * @param nonKeyAttributes Projection.NonKeyAttributes (INCLUDE only)
     */
    public record GlobalSecondaryIndex(String indexName, KeyAttribute partitionKey, KeyAttribute sortKey,
                                       String projectionType, List<String> nonKeyAttributes) {
        public GlobalSecondaryIndex {
            Objects.requireNonNull(indexName, "indexName");
            Objects.requireNonNull(partitionKey, "partitionKey");
            Objects.requireNonNull(projectionType, "projectionType");
            nonKeyAttributes = List.copyOf(nonKeyAttributes);
        }
    }
}
