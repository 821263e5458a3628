package dev.nosqles.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps what would have gone on the wire. */
final class RecordingSender implements SagaMessageSender {
    final List<SagaMessage.CommandMessage> commands = new ArrayList<>();
    final List<SagaMessage.ReplyMessage> replies = new ArrayList<>();
    final List<SagaMessage.DeadlineMessage> deadlines = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();

    @Override
    public void send(SagaMessage.CommandMessage command) {
        commands.add(command);
    }

    @Override
    public void send(SagaMessage.ReplyMessage reply) {
        replies.add(reply);
    }

    @Override
    public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
        deadlines.add(deadline);
        delays.add(delay);
    }
}
