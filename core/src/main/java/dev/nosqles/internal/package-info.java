/**
 * Implementation details shared by core's packages: the framework's JSON configuration, append validation,
 * the pseudo event prefix, the X-Ray trace header lookup.
 *
 * <p>Internal: not part of the public API, may change in any release without notice, and may be used only
 * inside the core module (a build test fails on an import from another module). See ADR 0010.
 */
package dev.nosqles.internal;
