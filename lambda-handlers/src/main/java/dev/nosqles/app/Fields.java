package dev.nosqles.app;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/** Field rules shared by the commands of the reference application. */
public final class Fields {
    /** Amounts carry at most this many digits before the decimal point. */
    public static final int MAX_INTEGER_DIGITS = 13;
    /** Amounts are kept with exactly this many decimal places (cents). */
    public static final int SCALE = 2;
    /** Ids of aggregates referred to by commands: what a stream id accepts. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final int MAX_TEXT = 200;

    private Fields() {
    }

    /**
     * A positive amount with at most {@value #SCALE} decimal places and {@value #MAX_INTEGER_DIGITS} integer
     * digits, returned with scale {@value #SCALE} so that equal amounts are equal records.
     *
     * @throws InvalidCommandException it is missing, zero, negative, too precise or too large
     */
    public static BigDecimal positiveAmount(String field, BigDecimal value) {
        if (value == null) {
            throw new InvalidCommandException(field, "is required");
        }
        if (value.signum() <= 0) {
            throw new InvalidCommandException(field, "must be greater than zero");
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() > SCALE) {
            throw new InvalidCommandException(field, "must have at most " + SCALE + " decimal places");
        }
        if (stripped.precision() - stripped.scale() > MAX_INTEGER_DIGITS) {
            throw new InvalidCommandException(field, "must have at most " + MAX_INTEGER_DIGITS + " integer digits");
        }
        return value.setScale(SCALE, RoundingMode.UNNECESSARY);
    }

    /** A non-blank text of at most 200 characters, trimmed. */
    public static String text(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidCommandException(field, "must not be blank");
        }
        String trimmed = value.strip();
        if (trimmed.length() > MAX_TEXT) {
            throw new InvalidCommandException(field, "must have at most " + MAX_TEXT + " characters");
        }
        return trimmed;
    }

    /** An aggregate id: 1 to 128 of {@code A-Z a-z 0-9 . _ : -}. */
    public static String id(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new InvalidCommandException(field, "must be 1 to 128 of A-Z a-z 0-9 . _ : -");
        }
        return value;
    }

    /** True when {@code value} can be an aggregate id. */
    public static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }
}
