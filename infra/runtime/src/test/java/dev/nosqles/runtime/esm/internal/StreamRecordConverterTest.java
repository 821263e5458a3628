package dev.nosqles.runtime.esm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.nosqles.capacity.ItemSize;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** SizeBytes as Lambda delivers it: the stream's value when valid (AWS: at least 1), never below 1. */
class StreamRecordConverterTest {
    private static final Map<String, AttributeValue> KEYS = Map.of(
            "streamId", AttributeValue.fromS("Order-1"), "version", AttributeValue.fromN("1"));
    private static final Map<String, AttributeValue> NEW_IMAGE = Map.of(
            "streamId", AttributeValue.fromS("Order-1"), "version", AttributeValue.fromN("1"),
            "data", AttributeValue.fromS("{\"amount\":12}"));
    private static final Map<String, AttributeValue> OLD_IMAGE = Map.of(
            "streamId", AttributeValue.fromS("Order-1"), "version", AttributeValue.fromN("1"));

    private static long delivered(StreamRecord.Builder record) {
        Record r = Record.builder().eventID("e-1").eventName("INSERT").dynamodb(record
                .approximateCreationDateTime(Instant.parse("2026-11-30T12:00:00Z"))
                .sequenceNumber("100").streamViewType("NEW_AND_OLD_IMAGES").build()).build();
        DynamodbEvent.DynamodbStreamRecord out = StreamRecordConverter.record(r,
                "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-11-30T12:00:00.000", "us-east-1");
        return out.getDynamodb().getSizeBytes();
    }

    @Test
    void the_streams_own_size_is_delivered_unchanged() {
        assertThat(delivered(StreamRecord.builder().keys(KEYS).newImage(NEW_IMAGE).sizeBytes(1L))).isEqualTo(1);
        assertThat(delivered(StreamRecord.builder().keys(KEYS).newImage(NEW_IMAGE).sizeBytes(4_321L)))
                .isEqualTo(4_321);
    }

    @Test
    void a_size_below_the_aws_minimum_is_replaced_by_the_size_of_the_keys_and_images() {
        long expected = ItemSize.of(KEYS) + ItemSize.of(NEW_IMAGE) + ItemSize.of(OLD_IMAGE);
        assertThat(expected).isPositive();

        assertThat(delivered(StreamRecord.builder().keys(KEYS).newImage(NEW_IMAGE).oldImage(OLD_IMAGE).sizeBytes(0L)))
                .isEqualTo(expected);
        assertThat(delivered(StreamRecord.builder().keys(KEYS).newImage(NEW_IMAGE).oldImage(OLD_IMAGE)))
                .as("no SizeBytes at all").isEqualTo(expected);
        assertThat(delivered(StreamRecord.builder().keys(KEYS).sizeBytes(0L)))
                .as("keys only").isEqualTo(ItemSize.of(KEYS));
    }

    @Test
    void a_record_with_nothing_to_measure_still_reports_the_aws_minimum_of_one_byte() {
        assertThat(delivered(StreamRecord.builder().sizeBytes(0L))).isEqualTo(1);
    }
}
