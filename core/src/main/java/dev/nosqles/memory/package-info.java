/**
 * The in-memory counterparts of the DynamoDB adapters, for unit tests and fixtures only: event store, snapshots,
 * checkpoints, the saga deadline index and subject keys. The in-memory event store passes the same contract suite
 * as the DynamoDB one (including the 400 KB item limit, computed on the same item layout).
 */
package dev.nosqles.memory;
