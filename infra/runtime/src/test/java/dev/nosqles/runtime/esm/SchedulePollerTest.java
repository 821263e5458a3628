package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulePollerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<ScheduledEvent> invocations = new ArrayList<>();
    private final List<String> log = new ArrayList<>();

    private SchedulePoller poller(RequestHandler<ScheduledEvent, ?> handler) {
        return new SchedulePoller("SweeperFunction-Sweep", "SweeperFunction", Duration.ofMinutes(1), handler,
                "eu-west-1", clock, log::add);
    }

    @Test
    void a_rate_rule_invokes_the_handler_once_per_period_starting_one_period_after_creation() {
        SchedulePoller poller = poller((event, context) -> invocations.add(event));

        clock.advance(Duration.ofSeconds(59));
        assertThat(poller.drainUntilIdle()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(poller.drainUntilIdle()).isEqualTo(1);
        assertThat(poller.drainUntilIdle()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(poller.drainUntilIdle()).isEqualTo(1);

        assertThat(invocations).hasSize(2);
        assertThat(poller.next()).isEqualTo(Instant.parse("2026-01-01T00:03:00Z"));
    }

    @Test
    void the_handler_gets_an_event_shaped_like_eventbridges_scheduled_event() {
        SchedulePoller poller = poller((event, context) -> invocations.add(event));
        clock.advance(Duration.ofMinutes(1));

        poller.pollOnce();

        ScheduledEvent event = invocations.get(0);
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getRegion()).isEqualTo("eu-west-1");
        assertThat(event.getResources()).singleElement().asString().endsWith(":rule/SweeperFunction-Sweep");
        assertThat(event.getTime().getMillis()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z").toEpochMilli());
        assertThat(log).singleElement().asString().startsWith("SweeperFunction <- SweeperFunction-Sweep (schedule) -> ok");
    }

    @Test
    void a_failed_invocation_is_logged_and_the_rule_fires_again_next_period() {
        SchedulePoller poller = poller((event, context) -> {
            throw new IllegalStateException("boom");
        });
        clock.advance(Duration.ofMinutes(1));

        assertThat(poller.pollOnce()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(poller.pollOnce()).isTrue();

        assertThat(log).hasSize(2).allSatisfy(line -> assertThat(line).contains("threw java.lang.IllegalStateException")
                .doesNotContain("boom"));
    }
}
