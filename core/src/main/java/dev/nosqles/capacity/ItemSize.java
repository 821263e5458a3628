package dev.nosqles.capacity;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The size of a DynamoDB item by DynamoDB's published rules: the UTF-8 length of each attribute name plus the
 * size of its value. Strings: UTF-8 bytes. Numbers: 1 byte per two significant digits plus 1. Binary: bytes.
 * Booleans and null: 1. Lists and maps: 3 bytes plus 1 per element plus the elements (with their names, in maps).
 * Sets: the sum of their elements.
 */
public final class ItemSize {
    /** DynamoDB's limit for one item, names included. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    private ItemSize() {
    }

    public static long of(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8(e.getKey()) + of(e.getValue());
        }
        return size;
    }

    public static long of(AttributeValue value) {
        // loops, not streams: this runs on every append, and a cold start pays for each stream class it loads
        return switch (value.type()) {
            case S -> utf8(value.s());
            case N -> number(value.n());
            case B -> value.b().asByteArray().length;
            case BOOL, NUL -> 1;
            case SS -> {
                long size = 0;
                for (String s : value.ss()) {
                    size += utf8(s);
                }
                yield size;
            }
            case NS -> {
                long size = 0;
                for (String n : value.ns()) {
                    size += number(n);
                }
                yield size;
            }
            case BS -> {
                long size = 0;
                for (var b : value.bs()) {
                    size += b.asByteArray().length;
                }
                yield size;
            }
            case L -> {
                long size = 3;
                for (AttributeValue v : value.l()) {
                    size += 1 + of(v);
                }
                yield size;
            }
            case M -> 3 + value.m().size() + of(value.m());
            case UNKNOWN_TO_SDK_VERSION -> throw new IllegalArgumentException("unknown attribute type");
        };
    }

    static long number(String n) {
        BigDecimal d = new BigDecimal(n).stripTrailingZeros();
        int digits = d.signum() == 0 ? 1 : d.precision();
        return (digits + 1) / 2 + 1;
    }

    static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
