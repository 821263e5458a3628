/**
 * Subscribers of the events table's stream (public API): a {@link dev.nosqles.subscription.Subscriber} binds
 * typed {@link dev.nosqles.subscription.EventHandler}s (or a {@link dev.nosqles.subscription.RawEventHandler}) to
 * aggregate types, keeps a checkpoint per stream in a {@link dev.nosqles.subscription.CheckpointStore} (so a
 * redelivered record is skipped) and may commit its own writes with the checkpoint ({@link
 * dev.nosqles.subscription.ScopeWrites}). The {@link dev.nosqles.subscription.EventDispatcher} hands it the stream
 * images; {@link dev.nosqles.subscription.ClaimCheck} resolves published envelopes sent without their data.
 *
 * <p>A stream adapter reads images with the public {@link dev.nosqles.dynamodb.DynamoDbStreamImages}, never with
 * the item layout in {@code dev.nosqles.dynamodb.internal}; {@code *.internal} packages may change without notice
 * (ADR 0010).
 */
package dev.nosqles.subscription;
