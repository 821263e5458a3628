/**
 * Every DynamoDB adapter of the framework, in one package: the event store ({@link
 * dev.nosqles.dynamodb.DynamoDbEventStore}), snapshots, subscription checkpoints, the saga deadline index, read
 * models and the subject keys (sealed by one key-encryption key that KMS wraps), and {@link dev.nosqles.dynamodb.EventTables} (the tables' layout as
 * CloudFormation or SDK requests). Each is a final class built with {@code builder()} and validated in
 * {@code build()}.
 *
 * <p>The item layout of the events and checkpoints tables ({@code dev.nosqles.dynamodb.internal}) is not part of the
 * public API: read commits through {@link dev.nosqles.store.EventStore} and stream images through the public decoder
 * of this package. See ADR 0010 for what is public and what is internal.
 */
package dev.nosqles.dynamodb;
