package dev.nosqles.saga;

import java.util.Objects;

/**
 * A participant's reply as the orchestrator sees it.
 *
 * @param inReplyTo the command message id it answers
 * @param outcome success or failure
 * @param reason the rejection's stable code on failure, else null
 * @param data the reply data (a JSON object; {@code {}} when there is none)
 */
public record SagaReply(String inReplyTo, ReplyOutcome outcome, String reason, String data) {
    public SagaReply {
        Objects.requireNonNull(inReplyTo, "inReplyTo");
        Objects.requireNonNull(outcome, "outcome");
        data = data == null ? "{}" : data;
    }

    public static SagaReply success(String inReplyTo) {
        return new SagaReply(inReplyTo, ReplyOutcome.SUCCESS, null, "{}");
    }

    public static SagaReply failure(String inReplyTo, String reason) {
        return new SagaReply(inReplyTo, ReplyOutcome.FAILURE, reason, "{}");
    }
}
