/**
 * How the stores make and inspect verified expected versions, which no public method can make (ADR 0001).
 *
 * <p>Internal: not part of the public API, may change in any release without notice, and may be used only
 * inside the core module (a build test fails on an import from another module). See ADR 0010.
 */
package dev.nosqles.store.internal;
