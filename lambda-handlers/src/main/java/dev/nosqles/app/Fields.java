package dev.nosqles.app;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Field rules shared by the commands of the reference application, and the one grammar of amounts the API
 * accepts. Every rule is checked before any arithmetic on the value; a broken rule is an
 * {@link InvalidCommandException} naming the field, never the value.
 */
public final class Fields {
    /** Amounts carry at most this many digits before the decimal point. */
    public static final int MAX_INTEGER_DIGITS = 13;
    /** Amounts are kept with exactly this many decimal places (cents). */
    public static final int SCALE = 2;
    /** The largest amount: {@code 9999999999999.99}. */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("9999999999999.99");
    /** Texts hold at most this many code points after trimming. */
    public static final int MAX_TEXT = 200;
    /** Ids of aggregates referred to by commands: what a stream id accepts. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    /** Plain decimal in ASCII digits: no sign, no exponent, no blanks, at most 13 + 2 digits. */
    private static final Pattern AMOUNT = Pattern.compile("(0|[1-9][0-9]{0,12})(\\.[0-9]{1,2})?");

    private Fields() {
    }

    /**
     * An amount as the API accepts it: a plain decimal in ASCII digits ({@code "12.50"}, {@code "7"}), no sign,
     * exponent, blanks or leading zeros, at most {@value #MAX_INTEGER_DIGITS} integer digits and
     * {@value #SCALE} decimal places, greater than zero. The text is checked before it becomes a number.
     *
     * @throws InvalidCommandException it is missing or breaks the grammar or the bounds
     */
    public static BigDecimal amount(String field, String text) {
        if (text == null) {
            throw new InvalidCommandException(field, "is required");
        }
        if (!AMOUNT.matcher(text).matches()) {
            throw new InvalidCommandException(field,
                    "must be a plain decimal string such as \"12.50\": digits 0-9, at most "
                            + MAX_INTEGER_DIGITS + " before the point and " + SCALE + " after it");
        }
        return positiveAmount(field, new BigDecimal(text));
    }

    /**
     * A positive amount with at most {@value #SCALE} decimal places and at most {@link #MAX_AMOUNT}, returned
     * with scale {@value #SCALE} so that equal amounts are equal records. Safe for any {@link BigDecimal},
     * including exponents near {@link Integer#MAX_VALUE}: the bound is compared before any scale arithmetic.
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
        if (value.compareTo(MAX_AMOUNT) > 0) {
            throw new InvalidCommandException(field, "must be at most " + MAX_AMOUNT.toPlainString());
        }
        // 0 < value <= MAX_AMOUNT: the scale is bounded below, stripping zeros cannot overflow it
        if (value.scale() > SCALE && value.stripTrailingZeros().scale() > SCALE) {
            throw new InvalidCommandException(field, "must have at most " + SCALE + " decimal places");
        }
        return value.setScale(SCALE, RoundingMode.UNNECESSARY);
    }

    /**
     * A text such as a name: trimmed of white space and invisible characters at both ends, then not empty, at
     * most {@value #MAX_TEXT} code points, and free of control characters (C0, C1, DEL), bidirectional
     * controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), line and paragraph separators,
     * unpaired surrogates and noncharacters.
     *
     * @throws InvalidCommandException it breaks one of these rules
     */
    public static String text(String field, String value) {
        String trimmed = trimmedVisible(field, value);
        if (trimmed.isEmpty()) {
            throw new InvalidCommandException(field, "must not be blank");
        }
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_TEXT) {
            throw new InvalidCommandException(field, "must have at most " + MAX_TEXT + " characters");
        }
        return trimmed;
    }

    /** E-mail addresses hold at most this many characters (RFC 5321's path limit). */
    public static final int MAX_EMAIL = 254;

    /**
     * An e-mail address, checked loosely: the characters {@link #text} refuses are refused, it is trimmed as text
     * is, then one {@code @} with something on both sides, no white space, at most {@value #MAX_EMAIL} characters.
     * Deliverability is not this service's business.
     *
     * @throws InvalidCommandException it breaks one of these rules
     */
    public static String email(String field, String value) {
        String text = trimmedVisible(field, value);
        int at = text.lastIndexOf('@');
        if (text.length() > MAX_EMAIL || at <= 0 || at == text.length() - 1
                || text.codePoints().anyMatch(Character::isWhitespace)) {
            throw new InvalidCommandException(field, "must be an e-mail address (local@domain, at most " + MAX_EMAIL
                    + " characters, no spaces)");
        }
        return text;
    }

    /**
     * The value trimmed of white space and invisible characters at both ends, once it is known to be present and
     * free of the characters {@link #text} refuses.
     */
    private static String trimmedVisible(String field, String value) {
        if (value == null) {
            throw new InvalidCommandException(field, "must not be blank");
        }
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (isRefused(cp)) {
                throw new InvalidCommandException(field,
                        "must not contain control, bidirectional-override or unpaired surrogate characters");
            }
            i += Character.charCount(cp);
        }
        return trimInvisible(value);
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

    private static boolean isRefused(int cp) {
        int type = Character.getType(cp);
        if (type == Character.CONTROL || type == Character.SURROGATE
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
            return true;
        }
        if (isBidiControl(cp)) {
            return true;
        }
        // noncharacters: U+FDD0..U+FDEF and the last two code points of every plane
        return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static boolean isBidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
                || cp == 0x200E || cp == 0x200F || cp == 0x061C;
    }

    /** White space and invisible formatting characters (zero-width space, joiners, BOM, soft hyphen, ...). */
    private static boolean isInvisible(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || Character.getType(cp) == Character.FORMAT || cp == 0x115F || cp == 0x1160 || cp == 0x3164
                || cp == 0xFFA0 || cp == 0x034F;
    }

    private static String trimInvisible(String value) {
        int start = 0;
        int end = value.length();
        while (start < end) {
            int cp = value.codePointAt(start);
            if (!isInvisible(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        while (end > start) {
            int cp = value.codePointBefore(end);
            if (!isInvisible(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return value.substring(start, end);
    }
}
