package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.runtime.esm.internal.FilterRecords;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** Lambda's event filtering as the local pollers apply it: the supported subset of the filter rule syntax. */
class EventFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLISHED =
            "{\"dynamodb\":{\"NewImage\":{\"streamId\":{\"S\":[{\"prefix\":\"Order-\"},{\"prefix\":\"Customer-\"}]}}}}";

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode commit(OperationType operation, String streamId, boolean withNewImage) {
        StreamRecord.Builder d = StreamRecord.builder().sequenceNumber("1")
                .keys(java.util.Map.of("streamId", AttributeValue.fromS(streamId),
                        "version", AttributeValue.fromN("1")));
        if (withNewImage) {
            d.newImage(java.util.Map.of("streamId", AttributeValue.fromS(streamId),
                    "version", AttributeValue.fromN("1"),
                    "events", AttributeValue.fromL(List.of(AttributeValue.fromM(java.util.Map.of(
                            "type", AttributeValue.fromS("OrderCreated")))))));
        }
        return FilterRecords.stream(Record.builder().eventID("e").eventName(operation).dynamodb(d.build()).build());
    }

    @Test
    void without_filters_every_record_passes() {
        assertThat(EventFilter.of(List.of()).matches(json("{\"a\":1}"))).isTrue();
        assertThat(EventFilter.none().passesEverything()).isTrue();
    }

    @Test
    void a_commit_of_a_published_type_passes_the_publishers_filter_and_a_saga_commit_or_a_remove_is_dropped() {
        EventFilter filter = EventFilter.of(List.of(PUBLISHED));
        assertThat(filter.matches(commit(OperationType.INSERT, "Order-1", true))).isTrue();
        assertThat(filter.matches(commit(OperationType.INSERT, "Customer-2", true))).isTrue();
        assertThat(filter.matches(commit(OperationType.INSERT, "CreateOrderSaga-3", true))).isFalse();
        assertThat(filter.matches(commit(OperationType.INSERT, "OrderX-3", true))).isFalse();
        assertThat(filter.matches(commit(OperationType.REMOVE, "Order-1", false))).isFalse();
    }

    @Test
    void a_record_matching_one_of_several_filters_passes_and_one_matching_none_is_dropped() {
        EventFilter filter = EventFilter.of(List.of("{\"kind\":[\"a\"]}", "{\"kind\":[\"b\"],\"n\":[1]}"));
        assertThat(filter.matches(json("{\"kind\":\"a\"}"))).isTrue();
        assertThat(filter.matches(json("{\"kind\":\"b\",\"n\":1.0}"))).isTrue();
        assertThat(filter.matches(json("{\"kind\":\"b\",\"n\":2}"))).as("every key of a filter must match").isFalse();
        assertThat(filter.matches(json("{\"kind\":\"c\"}"))).isFalse();
    }

    @Test
    void nested_keys_match_inside_nested_objects_and_a_missing_parent_does_not_match() {
        EventFilter filter = EventFilter.of(List.of("{\"a\":{\"b\":{\"c\":[\"x\"]}}}"));
        assertThat(filter.matches(json("{\"a\":{\"b\":{\"c\":\"x\",\"d\":1}}}"))).isTrue();
        assertThat(filter.matches(json("{\"a\":{\"b\":{\"c\":\"y\"}}}"))).isFalse();
        assertThat(filter.matches(json("{\"a\":{}}"))).isFalse();
        assertThat(filter.matches(json("{\"a\":{\"b\":{\"c\":[\"y\",\"x\"]}}}"))).as("an array field: any element")
                .isTrue();
    }

    @Test
    void prefix_matches_strings_that_begin_with_it_only() {
        EventFilter filter = EventFilter.of(List.of("{\"id\":[{\"prefix\":\"Order-\"}]}"));
        assertThat(filter.matches(json("{\"id\":\"Order-1\"}"))).isTrue();
        assertThat(filter.matches(json("{\"id\":\"xOrder-1\"}"))).isFalse();
        assertThat(filter.matches(json("{\"id\":1}"))).isFalse();
        assertThat(filter.matches(json("{}"))).isFalse();
    }

    @Test
    void exists_true_needs_the_field_and_exists_false_its_absence() {
        EventFilter present = EventFilter.of(List.of("{\"d\":{\"NewImage\":{\"k\":[{\"exists\":true}]}}}"));
        EventFilter absent = EventFilter.of(List.of("{\"d\":{\"NewImage\":{\"k\":[{\"exists\":false}]}}}"));
        JsonNode with = json("{\"d\":{\"NewImage\":{\"k\":{\"S\":\"v\"}}}}");
        JsonNode without = json("{\"d\":{\"OldImage\":{\"k\":{\"S\":\"v\"}}}}");
        assertThat(present.matches(with)).isTrue();
        assertThat(present.matches(without)).isFalse();
        assertThat(absent.matches(with)).isFalse();
        assertThat(absent.matches(without)).isTrue();
    }

    @Test
    void anything_but_matches_a_present_field_equal_to_none_of_the_values() {
        EventFilter filter = EventFilter.of(List.of("{\"eventName\":[{\"anything-but\":[\"REMOVE\",\"MODIFY\"]}]}"));
        assertThat(filter.matches(json("{\"eventName\":\"INSERT\"}"))).isTrue();
        assertThat(filter.matches(json("{\"eventName\":\"REMOVE\"}"))).isFalse();
        assertThat(filter.matches(json("{}"))).isFalse();
        assertThat(EventFilter.of(List.of("{\"n\":[{\"anything-but\":5}]}")).matches(json("{\"n\":5}"))).isFalse();
    }

    @Test
    void numeric_ranges_compare_numbers() {
        EventFilter filter = EventFilter.of(List.of("{\"n\":[{\"numeric\":[\">\",0,\"<=\",10]}]}"));
        assertThat(filter.matches(json("{\"n\":10}"))).isTrue();
        assertThat(filter.matches(json("{\"n\":0}"))).isFalse();
        assertThat(filter.matches(json("{\"n\":\"5\"}"))).as("a string is not a number").isFalse();
    }

    @Test
    void an_unsupported_operator_is_refused_naming_it_never_passing_everything() {
        for (String op : List.of("suffix", "equals-ignore-case", "cidr", "wildcard")) {
            assertThatThrownBy(() -> EventFilter.of(List.of("{\"k\":[{\"" + op + "\":\"x\"}]}")))
                    .isInstanceOfSatisfying(EventFilter.UnsupportedFilterException.class,
                            e -> assertThat(e.operator()).isEqualTo(op))
                    .hasMessageContaining(op);
        }
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"$or\":[{\"a\":[1]},{\"b\":[2]}]}")))
                .hasMessageContaining("$or");
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"k\":\"x\"}"))).hasMessageContaining("array");
        assertThatThrownBy(() -> EventFilter.of(List.of("not json"))).hasMessageContaining("JSON");
    }
}
