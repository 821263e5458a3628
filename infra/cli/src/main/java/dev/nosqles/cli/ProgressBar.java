package dev.nosqles.cli;

import dev.nosqles.projection.RebuildProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A rebuild's progress on stderr: on a terminal, one line redrawn in place (a bar, the percentage of the table's
 * estimated items scanned, events/s, ETA), at most ten times a second; otherwise a plain line at most every
 * {@link #PLAIN_EVERY_NANOS} ns (and the last one), for logs and CI.
 */
final class ProgressBar implements Consumer<RebuildProgress> {
    static final long TTY_EVERY_NANOS = 100_000_000L;
    static final long PLAIN_EVERY_NANOS = 2_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean tty;
    private final String label;
    private final LongSupplier nanoTime;
    private long lastDrawn = Long.MIN_VALUE;
    private boolean drawnOnTty;

    ProgressBar(PrintWriter err, boolean tty, String label, LongSupplier nanoTime) {
        this.err = err;
        this.tty = tty;
        this.label = label;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized void accept(RebuildProgress p) {
        long now = nanoTime.getAsLong();
        long every = tty ? TTY_EVERY_NANOS : PLAIN_EVERY_NANOS;
        if (!p.done() && lastDrawn != Long.MIN_VALUE && now - lastDrawn < every) {
            return;
        }
        lastDrawn = now;
        if (tty) {
            err.print("\r" + bar(p) + " " + line(p) + "\033[K");
            drawnOnTty = true;
            if (p.done()) {
                err.println();
                drawnOnTty = false;
            }
        } else {
            err.println(label + ": " + line(p));
        }
        err.flush();
    }

    /** Ends a line left open on the terminal (a rebuild that failed midway). */
    synchronized void finish() {
        if (drawnOnTty) {
            err.println();
            err.flush();
            drawnOnTty = false;
        }
    }

    /** The share of the estimated items scanned, 0..1; below 1 until done (the estimate may be low), -1 if unknown. */
    static double fraction(RebuildProgress p) {
        if (p.done()) {
            return 1.0;
        }
        if (p.estimatedItems() <= 0) {
            return -1;
        }
        return Math.min(0.99, (double) p.scannedItems() / p.estimatedItems());
    }

    static String bar(RebuildProgress p) {
        double f = fraction(p);
        int filled = f < 0 ? 0 : (int) Math.floor(f * WIDTH);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }

    static String line(RebuildProgress p) {
        double f = fraction(p);
        StringBuilder s = new StringBuilder();
        s.append(f < 0 ? "  ?%" : String.format(Locale.ROOT, "%3d%%", (int) Math.floor(f * 100)));
        s.append(String.format(Locale.ROOT, "  %,d", p.scannedItems()));
        if (p.estimatedItems() > 0) {
            s.append(String.format(Locale.ROOT, " of ~%,d", Math.max(p.estimatedItems(), p.scannedItems())));
        }
        s.append(" items, ").append(String.format(Locale.ROOT, "%,d events, %,.0f events/s", p.events(),
                p.eventsPerSecond()));
        if (p.done()) {
            s.append(", done");
        } else {
            s.append(", ETA ").append(p.eta().map(ProgressBar::duration).orElse("?"));
        }
        return s.toString();
    }

    static String duration(Duration d) {
        long seconds = Math.max(0, (d.toMillis() + 999) / 1000);
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
