package dev.nosqles.operations;

import java.time.Instant;

/**
 * One step of a saga's timeline.
 *
 * @param at when it happened (the commit's time)
 * @param version the version of the commit in its stream (the saga's stream, or the participant's for
 *        {@code COMMAND_HANDLED})
 * @param kind one of {@link SagaTimelines#KINDS}
 * @param step the saga step (the command's type, or the saga's status for the end)
 * @param from the lane it starts in ({@code orchestrator} or a participant's channel)
 * @param to the lane it goes to
 * @param messageId the command's message id (and the reply's, for {@code REPLY})
 * @param detail what else is known: the target, the outcome, the participant's event types
 * @param deadline when the orchestrator stops waiting for the reply ({@code null}: none)
 */
public record TimelineEntry(Instant at, long version, String kind, String step, String from, String to,
                            String messageId, String detail, Instant deadline) {
}
