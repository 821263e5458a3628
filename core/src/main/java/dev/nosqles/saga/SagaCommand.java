package dev.nosqles.saga;

import java.time.Instant;
import java.util.Objects;

/** What the orchestrator of a saga is asked. Time comes in with the command, never from inside the decider. */
sealed interface SagaCommand {

    Instant now();

    /**
     * Starts the saga (a create).
     *
     * @param sagaId the saga's id, derived from the triggering event ({@link SagaManager#sagaId})
     */
    record StartSaga<D>(String sagaId, D data, Instant now) implements SagaCommand {
        public StartSaga {
            Objects.requireNonNull(sagaId, "sagaId");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(now, "now");
        }
    }

    /**
     * A participant replied.
     *
     * @param replyMessageId the reply's message id (a late success reply derives its compensation's id from it);
     *        null when unknown
     */
    record HandleReply(SagaReply reply, String replyMessageId, Instant now) implements SagaCommand {
        public HandleReply {
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(now, "now");
        }

        public HandleReply(SagaReply reply, Instant now) {
            this(reply, null, now);
        }
    }

    /**
     * The deadline of the command with this message id may have passed.
     *
     * @param answered the participant has recorded the command (its reply is on its way): the saga re-sends rather
     *                 than gives up, while re-sends remain (ADR 0013); found by the manager, not the decider
     */
    record DeadlineExpired(String commandMessageId, Instant now, boolean answered) implements SagaCommand {
        public DeadlineExpired {
            Objects.requireNonNull(commandMessageId, "commandMessageId");
            Objects.requireNonNull(now, "now");
        }

        /** Without knowing whether the participant answered. */
        public DeadlineExpired(String commandMessageId, Instant now) {
            this(commandMessageId, now, false);
        }
    }
}
