package dev.nosqles.runtime.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.template.internal.CfnYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DynamoDB documents at most two concurrent readers per stream shard for Lambda; a third is throttled (ADR 0007).
 * New subscribers join an existing stream function's dispatcher instead of adding an event-source mapping. This
 * counts, per stream, the DynamoDB (and Kinesis) events of every function and every raw
 * {@code AWS::Lambda::EventSourceMapping} of template.yaml, however the stream is referenced.
 */
class StreamReadersTest {
    static final int MAX_READERS_PER_STREAM = 2;

    @Test
    void no_table_stream_of_the_template_has_more_than_two_event_source_mappings() throws IOException {
        Map<String, List<String>> readers = readersPerStream(load(Files.readString(LocalRuntime.findTemplate())));

        assertThat(readers).allSatisfy((stream, mappings) -> assertThat(mappings).as(stream)
                .hasSizeLessThanOrEqualTo(MAX_READERS_PER_STREAM));
        // today: one reader, the application's stream function (publisher, sagas and read models: ADR 0012)
        assertThat(readers).containsOnlyKeys("EventsTable.StreamArn");
        assertThat(readers.get("EventsTable.StreamArn")).containsExactly("OrderSagaStreamFunction.Events.EventsStream");
    }

    @Test
    void another_function_on_the_events_stream_is_counted_as_one_more_reader() throws IOException {
        Map<String, Object> template = load(Files.readString(LocalRuntime.findTemplate()));
        resources(template).put("OrdersProjectionFunction", load("""
                Type: AWS::Serverless::Function
                Properties:
                  Handler: example.Handler::handleRequest
                  Events:
                    Stream:
                      Type: DynamoDB
                      Properties:
                        Stream: !GetAtt [EventsTable, StreamArn]
                        StartingPosition: LATEST
                """));

        assertThat(readersPerStream(template).get("EventsTable.StreamArn")).hasSize(2)
                .contains("OrdersProjectionFunction.Events.Stream");
    }

    @Test
    void a_raw_event_source_mapping_and_a_stream_named_by_sub_count_as_readers_of_that_stream() {
        Map<String, Object> template = load("""
                Resources:
                  Table:
                    Type: AWS::DynamoDB::Table
                  A:
                    Type: AWS::Lambda::EventSourceMapping
                    Properties:
                      EventSourceArn: !GetAtt Table.StreamArn
                  B:
                    Type: AWS::Serverless::Function
                    Properties:
                      Events:
                        One:
                          Type: DynamoDB
                          Properties:
                            Stream: !Sub ${Table.StreamArn}
                        Queue:
                          Type: SQS
                          Properties:
                            Queue: !GetAtt Q.Arn
                  C:
                    Type: AWS::Lambda::EventSourceMapping
                    Properties:
                      EventSourceArn: !GetAtt Q.Arn
                """);

        Map<String, List<String>> readers = readersPerStream(template);

        assertThat(readers).containsOnlyKeys("Table.StreamArn");
        assertThat(readers.get("Table.StreamArn")).containsExactlyInAnyOrder("A", "B.Events.One");
    }

    /** Stream (normalised reference) -> the mappings reading it. */
    static Map<String, List<String>> readersPerStream(Map<String, Object> template) {
        Map<String, List<String>> readers = new TreeMap<>();
        resources(template).forEach((id, body) -> {
            Map<String, Object> resource = map(body);
            Map<String, Object> props = map(resource.getOrDefault("Properties", Map.of()));
            switch (String.valueOf(resource.get("Type"))) {
                case "AWS::Serverless::Function" -> map(props.getOrDefault("Events", Map.of())).forEach((name, e) -> {
                    Map<String, Object> event = map(e);
                    String type = String.valueOf(event.get("Type"));
                    if (type.equals("DynamoDB") || type.equals("Kinesis")) {
                        String stream = reference(map(event.getOrDefault("Properties", Map.of())).get("Stream"));
                        readers.computeIfAbsent(stream, k -> new ArrayList<>()).add(id + ".Events." + name);
                    }
                });
                case "AWS::Lambda::EventSourceMapping" -> {
                    String source = reference(props.get("EventSourceArn"));
                    if (source.endsWith(".StreamArn") || source.contains("/stream/")) {
                        readers.computeIfAbsent(source, k -> new ArrayList<>()).add(id);
                    }
                }
                default -> {
                    // not a reader
                }
            }
        });
        return readers;
    }

    /** {@code !GetAtt T.StreamArn}, {@code !GetAtt [T, StreamArn]} and {@code !Sub ${T.StreamArn}} as "T.StreamArn". */
    private static String reference(Object value) {
        if (value instanceof Map<?, ?> m && m.size() == 1) {
            Object getAtt = m.get("Fn::GetAtt");
            if (getAtt instanceof List<?> l && l.size() == 2) {
                return l.get(0) + "." + l.get(1);
            }
            if (getAtt instanceof String s) {
                return s;
            }
            if (m.get("Fn::Sub") instanceof String sub && sub.matches("\\$\\{[^}]+}")) {
                return sub.substring(2, sub.length() - 1);
            }
            if (m.get("Ref") instanceof String ref) {
                return ref;
            }
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resources(Map<String, Object> template) {
        return (Map<String, Object>) template.get("Resources");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String yaml) {
        return new LinkedHashMap<>((Map<String, Object>) CfnYaml.load(yaml));
    }
}
