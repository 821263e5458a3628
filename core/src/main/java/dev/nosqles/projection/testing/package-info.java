/**
 * Test support for read models (public API): {@link dev.nosqles.projection.testing.ProjectionFixture} runs a
 * projection on events without a table.
 *
 * <p>{@code *.internal} packages are not API and may change without notice (ADR 0010).
 */
package dev.nosqles.projection.testing;
