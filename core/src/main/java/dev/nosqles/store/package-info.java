/**
 * The event store's contract (public API): {@link dev.nosqles.store.EventStore} and {@link
 * dev.nosqles.store.SnapshotStore}, the values they take and return ({@link dev.nosqles.store.StreamId}, {@link
 * dev.nosqles.store.NewEvent}, {@link dev.nosqles.store.RecordedEvent}, {@link dev.nosqles.store.EventMetadata},
 * {@link dev.nosqles.store.ExpectedVersion}, {@link dev.nosqles.store.ReadRequest}, ...) and their typed
 * exceptions. Implementations live in {@code dev.nosqles.dynamodb} and {@code dev.nosqles.memory}; both pass the
 * same contract suite.
 *
 * <p>{@code dev.nosqles.store.internal} (like every {@code *.internal} package) is not API and may change without
 * notice (ADR 0010).
 */
package dev.nosqles.store;
