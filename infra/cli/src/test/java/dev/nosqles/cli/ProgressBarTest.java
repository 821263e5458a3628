package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.projection.RebuildProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private final AtomicLong now = new AtomicLong();
    private final StringWriter text = new StringWriter();

    private ProgressBar bar(boolean tty) {
        return new ProgressBar(new PrintWriter(text, true), tty, "rebuild order-summaries", now::get);
    }

    private static RebuildProgress progress(long scanned, long estimated, long events, double rate, Duration eta,
                                            boolean done) {
        return new RebuildProgress(2, scanned, estimated, events, rate, Optional.ofNullable(eta), done);
    }

    @Test
    void on_a_terminal_one_line_is_redrawn_in_place_with_percent_rate_and_eta() {
        ProgressBar bar = bar(true);
        bar.accept(progress(250, 1000, 400, 1234.4, Duration.ofSeconds(75), false));
        assertThat(text.toString()).isEqualTo("\r[#######.......................]  25%  250 of ~1,000 items, "
                + "400 events, 1,234 events/s, ETA 1:15\033[K");
    }

    @Test
    void on_a_terminal_redraws_are_throttled_but_the_last_one_is_always_drawn_and_ends_the_line() {
        ProgressBar bar = bar(true);
        bar.accept(progress(100, 1000, 100, 10, Duration.ofSeconds(90), false));
        now.addAndGet(ProgressBar.TTY_EVERY_NANOS / 2);
        bar.accept(progress(200, 1000, 200, 10, Duration.ofSeconds(80), false));
        now.addAndGet(1);
        bar.accept(progress(1000, 1000, 1000, 10, null, true));
        String s = text.toString();
        assertThat(s).doesNotContain(" 200 of");
        assertThat(s).contains("100%  1,000 of ~1,000 items, 1,000 events, 10 events/s, done\033[K");
        assertThat(s).endsWith(System.lineSeparator());
    }

    @Test
    void without_a_terminal_plain_lines_at_most_every_two_seconds_and_the_last_one() {
        ProgressBar bar = bar(false);
        bar.accept(progress(100, 1000, 100, 50, Duration.ofSeconds(18), false));
        now.addAndGet(ProgressBar.PLAIN_EVERY_NANOS - 1);
        bar.accept(progress(150, 1000, 150, 50, Duration.ofSeconds(17), false));
        now.addAndGet(1);
        bar.accept(progress(200, 1000, 200, 50, Duration.ofSeconds(16), false));
        bar.accept(progress(1000, 1000, 1000, 50, null, true));
        assertThat(text.toString().lines().toList()).containsExactly(
                "rebuild order-summaries:  10%  100 of ~1,000 items, 100 events, 50 events/s, ETA 0:18",
                "rebuild order-summaries:  20%  200 of ~1,000 items, 200 events, 50 events/s, ETA 0:16",
                "rebuild order-summaries: 100%  1,000 of ~1,000 items, 1,000 events, 50 events/s, done");
        assertThat(text.toString()).doesNotContain("\r").doesNotContain("\033");
    }

    @Test
    void a_stale_low_estimate_never_shows_100_percent_before_the_end_and_an_unknown_one_shows_a_question_mark() {
        assertThat(ProgressBar.line(progress(1500, 1000, 1500, 1, null, false)))
                .startsWith(" 99%  1,500 of ~1,500 items").endsWith("ETA ?");
        assertThat(ProgressBar.line(progress(10, 0, 10, 1, null, false))).startsWith("  ?%  10 items");
    }
}
