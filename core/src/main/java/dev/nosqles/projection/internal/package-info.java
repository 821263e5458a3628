/**
 * The read-model registry, table codec and rebuild behind {@link dev.nosqles.dynamodb.DynamoDbReadModels}.
 *
 * <p>Internal: not part of the public API, may change in any release without notice, and may be used only
 * inside the core module (a build test fails on an import from another module). See ADR 0010.
 */
package dev.nosqles.projection.internal;
