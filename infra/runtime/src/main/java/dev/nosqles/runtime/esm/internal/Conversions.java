package dev.nosqles.runtime.esm.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;

/** What the SDK-to-Lambda-event converters share: a batch converted item by item, SDK bytes as a heap buffer. */
final class Conversions {
    private Conversions() {
    }

    /** Each item converted, in order, into a new mutable list (the Lambda event models take and keep it). */
    static <I, O> List<O> each(List<I> items, Function<I, O> convert) {
        List<O> out = new ArrayList<>(items.size());
        for (I item : items) {
            out.add(convert.apply(item));
        }
        return out;
    }

    /** The bytes in a new heap {@link ByteBuffer}, as Lambda's JSON deserializer gives them. */
    static ByteBuffer buffer(SdkBytes bytes) {
        return ByteBuffer.wrap(bytes.asByteArray());
    }
}
