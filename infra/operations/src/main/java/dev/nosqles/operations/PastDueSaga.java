package dev.nosqles.operations;

import java.time.Instant;

/**
 * A saga waiting for a reply past its deadline (the sweeper has not acted on it yet).
 *
 * @param sagaId the saga's id
 * @param sagaType the saga's type
 * @param awaitingCommandId the message id of the command it awaits a reply to
 * @param step the awaited command's type ({@code null}: unknown)
 * @param dueAt the deadline
 * @param overdueMillis now minus {@code dueAt}
 * @param attempt how often the awaited command has been re-sent (0: the first send)
 */
public record PastDueSaga(String sagaId, String sagaType, String awaitingCommandId, String step, Instant dueAt,
                          long overdueMillis, int attempt) {
}
