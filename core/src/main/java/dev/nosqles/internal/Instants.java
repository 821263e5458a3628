package dev.nosqles.internal;

import java.time.Instant;
import java.time.Year;

/**
 * Reads an ISO-8601 instant as {@link Instant#parse} does, with a direct path for the shape the framework writes
 * ({@code Instant.toString()}: {@code 2026-12-01T10:15:30.123Z}, 4-digit year, 0 to 9 fraction digits). java.time's
 * parser costs a cold start a few ms on its first use and every stored commit carries an instant; any other text
 * (an offset, a lower-case letter, a leap second, a wider year, a malformed one) goes to {@link Instant#parse},
 * which accepts or rejects it exactly as before.
 */
public final class Instants {
    private static final int[] SCALE = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000};

    private Instants() {
    }

    /**
     * @throws java.time.format.DateTimeParseException as {@link Instant#parse} throws it
     */
    public static Instant parse(CharSequence text) {
        Instant direct = direct(text);
        return direct != null ? direct : Instant.parse(text);
    }

    /** The instant of the framework's own shape; null for any other text. */
    static Instant direct(CharSequence t) {
        int n = t.length();
        if (n < 20 || n > 30 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > length(year, month) || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (t.charAt(19) != '.' || fraction < 1) {
                return null;
            }
            int value = digits(t, 20, fraction);
            if (value < 0) {
                return null;
            }
            nanos = value * SCALE[9 - fraction];
        }
        long seconds = epochDay(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The non-negative number of {@code count} ASCII digits at {@code from}; -1 when one is not a digit. */
    private static int digits(CharSequence t, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int length(int year, int month) {
        return switch (month) {
            case 2 -> Year.isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 in the proleptic Gregorian calendar (as {@code LocalDate.toEpochDay}). */
    private static long epochDay(int year, int month, int day) {
        return java.time.LocalDate.of(year, month, day).toEpochDay();
    }
}
