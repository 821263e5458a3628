/**
 * The DynamoDB item layout of the events and checkpoints tables (one item per commit, ADR 0001) and
 * transaction helpers, shared by the adapters of {@code dev.nosqles.dynamodb} and the in-memory store. Outside core,
 * read commits with {@link dev.nosqles.dynamodb.DynamoDbStreamImages}.
 *
 * <p>Internal: not part of the public API, may change in any release without notice, and may be used only
 * inside the core module (a build test fails on an import from another module). See ADR 0010.
 */
package dev.nosqles.dynamodb.internal;
