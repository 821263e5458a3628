/**
 * Test support for applications (public API): {@link dev.nosqles.testing.AggregateFixture} runs given/when/then
 * specifications of an aggregate through the real repository and codec on the in-memory store.
 *
 * <p>{@code *.internal} packages are not API and may change without notice (ADR 0010).
 */
package dev.nosqles.testing;
