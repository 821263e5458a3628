/**
 * DynamoDB capacity accounting (public API): {@link dev.nosqles.capacity.CapacityUnits} computes read and write
 * units from item sizes ({@link dev.nosqles.capacity.ItemSize}), {@link dev.nosqles.capacity.CapacityMeter} counts
 * a client's requests and units (local emulators report constant or no consumed capacity). Used by the
 * deterministic cost tests and the benchmarks.
 *
 * <p>{@code *.internal} packages are not API and may change without notice (ADR 0010).
 */
package dev.nosqles.capacity;
