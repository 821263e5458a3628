package dev.nosqles.saga;

import java.time.Instant;
import java.util.Objects;

/** What the orchestrator of a saga is asked. Time comes in with the command, never from inside the decider. */
public sealed interface SagaCommand {

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

    /** A participant replied. */
    record HandleReply(SagaReply reply, Instant now) implements SagaCommand {
        public HandleReply {
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(now, "now");
        }
    }

    /** The deadline of the command with this message id may have passed. */
    record DeadlineExpired(String commandMessageId, Instant now) implements SagaCommand {
        public DeadlineExpired {
            Objects.requireNonNull(commandMessageId, "commandMessageId");
            Objects.requireNonNull(now, "now");
        }
    }
}
