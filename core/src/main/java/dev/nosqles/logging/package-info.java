/**
 * Structured logging (public API): {@link dev.nosqles.logging.LogContext} puts the ids of the command, event or
 * message being handled into the SLF4J MDC (and gives the X-Ray trace header to send on, {@link
 * dev.nosqles.logging.LogContext#traceHeader()}); {@link dev.nosqles.logging.LoggableFailures} describes a failure
 * without its payload. Ids only, never a payload, in a log line.
 *
 * <p>{@code *.internal} packages are not API and may change without notice (ADR 0010).
 */
package dev.nosqles.logging;
