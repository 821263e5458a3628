package dev.nosqles.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemSizeTest {

    @Test
    void strings_count_their_utf8_bytes_plus_the_attribute_name() {
        assertThat(ItemSize.of(Map.of("name", AttributeValue.fromS("abc")))).isEqualTo(4 + 3);
        assertThat(ItemSize.of(Map.of("n", AttributeValue.fromS("é✓")))).isEqualTo(1 + 2 + 3);
    }

    @Test
    void numbers_count_one_byte_per_two_significant_digits_plus_one() {
        assertThat(ItemSize.number("1")).isEqualTo(2);
        assertThat(ItemSize.number("12")).isEqualTo(2);
        assertThat(ItemSize.number("123")).isEqualTo(3);
        assertThat(ItemSize.number("1000")).isEqualTo(2);
        assertThat(ItemSize.number("0")).isEqualTo(2);
        assertThat(ItemSize.number("123456789")).isEqualTo(6);
    }

    @Test
    void lists_and_maps_add_three_bytes_and_one_per_element() {
        AttributeValue list = AttributeValue.fromL(List.of(AttributeValue.fromS("ab"), AttributeValue.fromBool(true)));
        assertThat(ItemSize.of(list)).isEqualTo(3 + (1 + 2) + (1 + 1));
        AttributeValue map = AttributeValue.fromM(Map.of("k", AttributeValue.fromS("v")));
        assertThat(ItemSize.of(map)).isEqualTo(3 + 1 + 1 + 1);
        assertThat(ItemSize.of(AttributeValue.fromB(SdkBytes.fromByteArray(new byte[10])))).isEqualTo(10);
    }

    @Test
    void write_units_are_per_started_kilobyte_and_double_in_transactions() {
        assertThat(CapacityUnits.write(1, false)).isEqualTo(1);
        assertThat(CapacityUnits.write(1024, false)).isEqualTo(1);
        assertThat(CapacityUnits.write(1025, false)).isEqualTo(2);
        assertThat(CapacityUnits.write(3000, true)).isEqualTo(6);
    }

    @Test
    void read_units_are_per_started_four_kilobytes_halved_when_eventually_consistent() {
        assertThat(CapacityUnits.read(0, true)).isEqualTo(1.0);
        assertThat(CapacityUnits.read(4096, true)).isEqualTo(1.0);
        assertThat(CapacityUnits.read(4097, true)).isEqualTo(2.0);
        assertThat(CapacityUnits.read(4097, false)).isEqualTo(1.0);
    }
}
