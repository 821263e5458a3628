/**
 * CQRS read models: a {@link dev.nosqles.projection.Projection} turns typed events into rows of a read model, fed
 * exactly once and in version order per aggregate (its writes commit with its checkpoint); versions of a read model
 * are rebuilt from the whole events table, switched atomically and dropped (ADR 0007).
 *
 * <p>Public: {@code Projection}, {@code ProjectionHandler}, {@code Rows}, the DynamoDB adapter in
 * {@code dev.nosqles.dynamodb} and the fixture in {@code projection.testing}. Everything in
 * {@code projection.internal} may change without notice.
 */
package dev.nosqles.projection;
