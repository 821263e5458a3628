package dev.nosqles.saga;

import java.util.OptionalLong;

/**
 * How many messages wait on a saga channel's queue, as the transport can tell (ADR 0016). A deadline whose
 * participant has no record of the command asks it before giving up: a participant whose queue still holds
 * messages is busy, not silent, and its command is re-sent (while re-sends remain) rather than given up.
 * Approximate by nature (SQS's counts are); a wrong "busy" costs one re-send and one more deadline window, a wrong
 * "idle" gives up as before.
 */
@FunctionalInterface
public interface ChannelBacklog {

    /**
     * Messages on the channel's queue that are not deleted yet: waiting, and received but not yet deleted (being
     * handled); empty when unknown (no queue for the channel, the transport could not tell).
     */
    OptionalLong waiting(String channel);

    /** Knows nothing: a deadline whose participant has no record of the command acts at once. */
    static ChannelBacklog unknown() {
        return channel -> OptionalLong.empty();
    }
}
