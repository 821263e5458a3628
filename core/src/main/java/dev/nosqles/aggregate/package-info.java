/**
 * Aggregates and the repository that runs commands on them (public API).
 *
 * <p>Write an aggregate as a pure {@link dev.nosqles.aggregate.Aggregate} (decide and evolve over records, a
 * sealed event interface), name its stored event types in {@link dev.nosqles.aggregate.EventTypes}, register
 * {@link dev.nosqles.aggregate.Upcasters} for older schemas, and run commands through an {@link
 * dev.nosqles.aggregate.AggregateRepository} (optimistic concurrency, retries by {@link
 * dev.nosqles.aggregate.RetryPolicy}, idempotence by message id, {@link dev.nosqles.aggregate.Snapshotting}).
 * {@link dev.nosqles.aggregate.PseudoEvent} is the framework's own kind of event ({@code nosqles.} types), which
 * never reaches {@code apply}; {@link dev.nosqles.aggregate.PseudoEvent#isPseudo(String)} tells them apart.
 *
 * <p>Everything public here is API; {@code *.internal} packages may change without notice (ADR 0010).
 */
package dev.nosqles.aggregate;
