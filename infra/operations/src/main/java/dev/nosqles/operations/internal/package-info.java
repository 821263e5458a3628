/** Helpers of the operations tools; not part of their public API (ADR 0010). */
package dev.nosqles.operations.internal;
