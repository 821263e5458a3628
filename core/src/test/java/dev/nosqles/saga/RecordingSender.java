package dev.nosqles.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps what would have gone on the wire (shared with other modules' tests through core's test-jar). */
public final class RecordingSender implements SagaMessageSender {
    public final List<SagaMessage.CommandMessage> commands = new ArrayList<>();
    public final List<SagaMessage.ReplyMessage> replies = new ArrayList<>();
    public final List<SagaMessage.DeadlineMessage> deadlines = new ArrayList<>();
    public final List<Duration> delays = new ArrayList<>();
    /** Everything, in the order it was sent. */
    public final List<SagaMessage> all = new ArrayList<>();

    @Override
    public void send(SagaMessage.CommandMessage command) {
        commands.add(command);
        all.add(command);
    }

    @Override
    public void send(SagaMessage.ReplyMessage reply) {
        replies.add(reply);
        all.add(reply);
    }

    @Override
    public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
        deadlines.add(deadline);
        delays.add(delay);
        all.add(deadline);
    }
}
