/**
 * The in-memory counterparts of the DynamoDB adapters, for unit tests and fixtures only: event store, snapshots,
 * checkpoints, the saga deadline index and subject keys. The in-memory event store passes the same contract suite
 * as the DynamoDB one (including the 400 KB item limit, computed on the same item layout).
 *
 * <p>They are test doubles with no required configuration, so each is built with its public no-arg constructor
 * ({@code new InMemorySnapshotStore()}); only the event store also takes a {@link java.time.Clock}. The DynamoDB
 * adapters ({@code dev.nosqles.dynamodb}) are built with {@code builder()} instead, validated in {@code build()}.
 */
package dev.nosqles.memory;
