package dev.nosqles.runtime.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.template.FunctionDefinition.HttpApiEvent;
import dev.nosqles.runtime.template.FunctionDefinition.QueueEvent;
import dev.nosqles.runtime.template.FunctionDefinition.StreamEvent;
import dev.nosqles.runtime.template.TableDefinition.KeyAttribute;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TemplateReaderTest {

    static Path fixture(String name) {
        try {
            return Path.of(TemplateReaderTest.class.getResource("/templates/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Nested
    class TheReferenceTemplate {
        private final Template template = TemplateReader.read(LocalRuntime.findTemplate());

        @Test
        void declares_the_events_table_keyed_by_stream_and_version_with_a_new_image_stream() {
            assertThat(template.table("EventsTable")).hasValue(new TableDefinition("EventsTable", null,
                    new KeyAttribute("streamId", "S"), new KeyAttribute("version", "N"), "NEW_IMAGE",
                    "PAY_PER_REQUEST", true, true));
        }

        @Test
        void declares_the_snapshots_table_keyed_by_stream_without_a_stream() {
            assertThat(template.table("SnapshotsTable")).hasValue(new TableDefinition("SnapshotsTable", null,
                    new KeyAttribute("streamId", "S"), null, null, "PAY_PER_REQUEST", true, true));
        }

        @Test
        void declares_the_checkpoints_table_keyed_by_subscriber_and_stream() {
            assertThat(template.table("CheckpointsTable")).hasValue(new TableDefinition("CheckpointsTable", null,
                    new KeyAttribute("subscriber", "S"), new KeyAttribute("streamId", "S"), null, "PAY_PER_REQUEST",
                    true, true));
            assertThat(template.tables()).extracting(TableDefinition::logicalId)
                    .containsExactly("EventsTable", "SnapshotsTable", "SubjectKeysTable", "CheckpointsTable",
                            "ReadModelsTable", "SagaDeadlinesTable");
        }

        @Test
        void declares_the_subject_keys_table_keyed_by_subject_with_point_in_time_recovery() {
            assertThat(template.table("SubjectKeysTable")).hasValue(new TableDefinition("SubjectKeysTable", null,
                    new KeyAttribute("subject", "S"), null, null, "PAY_PER_REQUEST", true, true));
            for (String function : List.of("ApiFunction", "OrderSagaStreamFunction", "CustomerCommandsFunction")) {
                assertThat(template.function(function).orElseThrow().environment()).as(function)
                        .containsEntry("SUBJECT_KEYS_TABLE", new Value.Ref("SubjectKeysTable"))
                        .containsEntry("PERSONAL_DATA_KEY_ID", new Value.Ref("PersonalDataKey"));
            }
        }

        @Test
        void declares_the_read_models_table_keyed_by_pk_with_two_indexes_that_project_every_attribute() {
            KeyAttribute pk = new KeyAttribute("pk", "S");
            assertThat(template.table("ReadModelsTable")).hasValue(new TableDefinition("ReadModelsTable", null, pk,
                    null, null, "PAY_PER_REQUEST", true, true, List.of(
                    new TableDefinition.GlobalSecondaryIndex("gsi1", new KeyAttribute("gsi1pk", "S"),
                            new KeyAttribute("gsi1sk", "S"), "ALL", List.of()),
                    new TableDefinition.GlobalSecondaryIndex("gsi2", new KeyAttribute("gsi2pk", "S"),
                            new KeyAttribute("gsi2sk", "S"), "ALL", List.of()))));
        }

        @Test
        void gives_the_api_the_read_models_their_registry_and_a_generated_cursor_key_and_the_stream_function_no_key() {
            assertThat(template.secrets()).containsExactly(new SecretDefinition("CursorSigningSecret", 64, true));
            Map<String, Value> api = template.function("ApiFunction").orElseThrow().environment();
            assertThat(api).containsEntry("READ_MODELS_TABLE", new Value.Ref("ReadModelsTable"))
                    .containsEntry("CHECKPOINTS_TABLE", new Value.Ref("CheckpointsTable"))
                    .containsEntry("CURSOR_SIGNING_KEY",
                            new Value.Sub(
                                    "{{resolve:secretsmanager:${CursorSigningSecret}:SecretString::${CursorKeyVersion}}}",
                                    Map.of()));
            Map<String, Value> stream = template.function("OrderSagaStreamFunction").orElseThrow().environment();
            assertThat(stream).containsEntry("READ_MODELS_TABLE", new Value.Ref("ReadModelsTable"))
                    .doesNotContainKey("CURSOR_SIGNING_KEY");
            assertThat(template.functions()).filteredOn(f -> f.environment().containsKey("CURSOR_SIGNING_KEY"))
                    .extracting(FunctionDefinition::logicalId).containsExactly("ApiFunction");
        }

        @Test
        void declares_the_saga_deadlines_table_keyed_by_saga_and_the_sweeper_on_a_one_minute_schedule() {
            assertThat(template.table("SagaDeadlinesTable").orElseThrow().partitionKey())
                    .isEqualTo(new KeyAttribute("sagaId", "S"));
            FunctionDefinition sweeper = template.function("SagaSweeperFunction").orElseThrow();
            assertThat(sweeper.scheduleEvents()).containsExactly(new FunctionDefinition.ScheduleEvent("Sweep",
                    "rate(1 minute)", java.time.Duration.ofMinutes(1), true));
            assertThat(sweeper.environment()).containsEntry("SAGA_DEADLINES_TABLE",
                    new Value.Ref("SagaDeadlinesTable"));
            assertThat(template.function("OrderSagaStreamFunction").orElseThrow().environment())
                    .containsEntry("SAGA_DEADLINES_TABLE", new Value.Ref("SagaDeadlinesTable"));
            assertThat(template.function("SagaRepliesFunction").orElseThrow().environment())
                    .containsEntry("SAGA_DEADLINES_TABLE", new Value.Ref("SagaDeadlinesTable"));
        }

        @Test
        void declares_the_events_topic_fifo_without_content_based_deduplication_and_no_subscription() {
            assertThat(template.topics()).containsExactly(new TopicDefinition("EventsTopic", null, true, false));
            assertThat(template.subscriptions()).isEmpty();
        }

        @Test
        void declares_fifo_command_queues_a_standard_reply_queue_each_with_its_dead_letter_queue() {
            assertThat(template.queue("CustomerCommandsQueue")).hasValue(new QueueDefinition("CustomerCommandsQueue",
                    null, true, false, 90, new QueueDefinition.Redrive("CustomerCommandsDlq", 5)));
            assertThat(template.queue("OrderCommandsQueue")).hasValue(new QueueDefinition("OrderCommandsQueue",
                    null, true, false, 90, new QueueDefinition.Redrive("OrderCommandsDlq", 5)));
            assertThat(template.queue("SagaRepliesQueue")).hasValue(new QueueDefinition("SagaRepliesQueue",
                    null, false, false, 90, new QueueDefinition.Redrive("SagaRepliesDlq", 5)));
            assertThat(template.queue("CustomerCommandsDlq").orElseThrow().fifo()).isTrue();
            assertThat(template.queue("OrderCommandsDlq").orElseThrow().fifo()).isTrue();
            assertThat(template.queue("SagaRepliesDlq").orElseThrow().fifo()).isFalse();
            assertThat(template.queue("StreamFailuresQueue")).isPresent();
        }

        @Test
        void every_queue_visibility_timeout_is_at_least_six_times_its_functions_timeout() {
            for (FunctionDefinition function : template.functions()) {
                for (QueueEvent event : function.queueEvents()) {
                    assertThat(template.queue(event.queue()).orElseThrow().visibilityTimeoutSeconds())
                            .as("%s of %s", event.queue(), function.logicalId())
                            .isGreaterThanOrEqualTo(6 * function.timeoutSeconds());
                }
            }
        }

        @Test
        void feeds_the_events_stream_to_its_one_stream_function_unfiltered_with_an_on_failure_queue() {
            assertThat(template.function("OrderSagaStreamFunction").orElseThrow().streamEvents())
                    .containsExactly(new StreamEvent("EventsStream", "EventsTable", "TRIM_HORIZON", 100, 0, 10, true,
                            true, "StreamFailuresQueue"));
        }

        @Test
        void feeds_each_saga_queue_to_its_function_reporting_item_failures() {
            assertThat(template.function("CustomerCommandsFunction").orElseThrow().queueEvents())
                    .containsExactly(new QueueEvent("Commands", "CustomerCommandsQueue", 10, 0, true));
            assertThat(template.function("OrderCommandsFunction").orElseThrow().queueEvents())
                    .containsExactly(new QueueEvent("Commands", "OrderCommandsQueue", 10, 0, true));
            assertThat(template.function("SagaRepliesFunction").orElseThrow().queueEvents())
                    .containsExactly(new QueueEvent("Replies", "SagaRepliesQueue", 10, 0, true));
        }

        @Test
        void the_stream_function_publishes_exactly_the_types_the_operations_view_expects() {
            FunctionDefinition stream = template.function("OrderSagaStreamFunction").orElseThrow();
            java.util.Set<String> published = java.util.Set.of(((Value.Literal) stream.environment()
                    .get("PUBLISHED_AGGREGATE_TYPES")).text().split(","));
            assertThat(published).isEqualTo(dev.nosqles.app.saga.StreamSubscribers.PUBLISHED_TYPES);
        }

        @Test
        void reads_a_stream_filter_that_lets_through_the_commits_of_the_named_aggregate_types_only() {
            String yaml = """
                    Resources:
                      T:
                        Type: AWS::DynamoDB::Table
                        Properties:
                          AttributeDefinitions: [{AttributeName: streamId, AttributeType: S}]
                          KeySchema: [{AttributeName: streamId, KeyType: HASH}]
                          StreamSpecification: {StreamViewType: NEW_IMAGE}
                      F:
                        Type: AWS::Serverless::Function
                        Properties:
                          Handler: example.Handler::handleRequest
                          Events:
                            S:
                              Type: DynamoDB
                              Properties:
                                Stream: !GetAtt T.StreamArn
                                StartingPosition: TRIM_HORIZON
                                FilterCriteria:
                                  Filters:
                                    - Pattern: '{"dynamodb":{"NewImage":{"streamId":{"S":[{"prefix":"Order-"},{"prefix":"Customer-"}]}}}}'
                    """;
            StreamEvent event = TemplateReader.parse(yaml, "t.yaml").function("F").orElseThrow().streamEvents()
                    .getFirst();
            assertThat(event.filterPatterns()).containsExactly("{\"dynamodb\":{\"NewImage\":{\"streamId\":{\"S\":"
                    + "[{\"prefix\":\"Order-\"},{\"prefix\":\"Customer-\"}]}}}}");
            dev.nosqles.runtime.esm.EventFilter filter = dev.nosqles.runtime.esm.EventFilter.of(event.filterPatterns());
            for (String type : List.of("Order", "Customer")) {
                assertThat(filter.matches(commit(type + "-1"))).as(type).isTrue();
            }
            for (String type : List.of("CreateOrderSaga", "Unpublished", "", "OrderX")) {
                assertThat(filter.matches(commit(type + "-1"))).as(type).isFalse();
            }
        }

        /** A commit of one stream as a stream event carries it (NEW_IMAGE). */
        private static com.fasterxml.jackson.databind.JsonNode commit(String streamId) {
            var image = Map.of(dev.nosqles.dynamodb.EventTables.STREAM_ID_ATTRIBUTE,
                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(streamId));
            return dev.nosqles.runtime.esm.internal.FilterRecords.stream(
                    software.amazon.awssdk.services.dynamodb.model.Record.builder().eventName("INSERT")
                            .dynamodb(b -> b.keys(image).newImage(image).sequenceNumber("1")).build());
        }

        @Test
        void gives_the_saga_stream_function_every_table_and_queue_it_needs() {
            assertThat(template.function("OrderSagaStreamFunction").orElseThrow().environment()).containsAllEntriesOf(
                    Map.of("EVENTS_TABLE", new Value.Ref("EventsTable"),
                            "SNAPSHOTS_TABLE", new Value.Ref("SnapshotsTable"),
                            "CHECKPOINTS_TABLE", new Value.Ref("CheckpointsTable"),
                            "CUSTOMER_COMMANDS_QUEUE_URL", new Value.Ref("CustomerCommandsQueue"),
                            "ORDER_COMMANDS_QUEUE_URL", new Value.Ref("OrderCommandsQueue"),
                            "SAGA_REPLIES_QUEUE_URL", new Value.Ref("SagaRepliesQueue"),
                            "EVENTS_TOPIC_ARN", new Value.Ref("EventsTopic")));
        }

        @Test
        void declares_the_api_function_with_the_globals_applied() {
            FunctionDefinition api = template.function("ApiFunction").orElseThrow();
            assertThat(api.handler()).isEqualTo("dev.nosqles.app.api.ApiHandler::handleRequest");
            assertThat(api.handlerClass()).isEqualTo("dev.nosqles.app.api.ApiHandler");
            assertThat(api.runtime()).isEqualTo("java21");
            assertThat(api.memorySize()).isEqualTo(1024);
            assertThat(api.timeoutSeconds()).isEqualTo(15);
            assertThat(api.environment()).containsExactly(
                    Map.entry("JAVA_TOOL_OPTIONS", new Value.Literal(
                            "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Dhttp.maxConnections=16"
                                    + " -Dslf4j.provider=dev.nosqles.lambda.logging.JsonLogsProvider"
                                    + " -Dslf4j.internal.verbosity=WARN")),
                    Map.entry("POWERTOOLS_SERVICE_NAME", new Value.Ref("AWS::StackName")),
                    Map.entry("POWERTOOLS_METRICS_NAMESPACE", new Value.Literal("nosqles")),
                    Map.entry("POWERTOOLS_LOG_LEVEL", new Value.Literal("INFO")),
                    Map.entry("EVENTS_TABLE", new Value.Ref("EventsTable")),
                    Map.entry("SNAPSHOTS_TABLE", new Value.Ref("SnapshotsTable")),
                    Map.entry("READ_MODELS_TABLE", new Value.Ref("ReadModelsTable")),
                    Map.entry("CHECKPOINTS_TABLE", new Value.Ref("CheckpointsTable")),
                    Map.entry("CURSOR_SIGNING_KEY",
                            new Value.Sub(
                                    "{{resolve:secretsmanager:${CursorSigningSecret}:SecretString::${CursorKeyVersion}}}",
                                    Map.of())),
                    Map.entry("SUBJECT_KEYS_TABLE", new Value.Ref("SubjectKeysTable")),
                    Map.entry("PERSONAL_DATA_KEY_ID", new Value.Ref("PersonalDataKey")));
            assertThat(api.streamEvents()).isEmpty();
            assertThat(api.queueEvents()).isEmpty();
            assertThat(template.functions()).extracting(FunctionDefinition::logicalId).containsExactly("ApiFunction",
                    "OrderSagaStreamFunction", "CustomerCommandsFunction",
                    "OrderCommandsFunction", "SagaRepliesFunction", "SagaSweeperFunction");
        }

        @Test
        void routes_every_endpoint_of_the_api_to_the_api_function() {
            assertThat(template.function("ApiFunction").orElseThrow().httpApiEvents()).containsExactly(
                    new HttpApiEvent("CreateCustomer", "POST", "/customers"),
                    new HttpApiEvent("GetCustomer", "GET", "/customers/{customerId}"),
                    new HttpApiEvent("GetCustomerEvents", "GET", "/customers/{customerId}/events"),
                    new HttpApiEvent("ForgetCustomerPersonalData", "DELETE", "/customers/{customerId}/personal-data"),
                    new HttpApiEvent("PlaceOrder", "POST", "/orders"),
                    new HttpApiEvent("GetOrder", "GET", "/orders/{orderId}"),
                    new HttpApiEvent("GetOrderEvents", "GET", "/orders/{orderId}/events"),
                    new HttpApiEvent("CancelOrder", "POST", "/orders/{orderId}/cancel"),
                    new HttpApiEvent("ListCustomerOrders", "GET", "/customers/{customerId}/orders"),
                    new HttpApiEvent("ListOrdersInState", "GET", "/orders"));
        }
    }

    @Nested
    class AnEventDrivenTemplate {
        private final Template template = TemplateReader.read(fixture("event-driven.yaml"));

        @Test
        void reads_a_stream_event_with_every_mapping_setting() {
            assertThat(template.function("ProjectionFunction").orElseThrow().streamEvents()).containsExactly(
                    new StreamEvent("EventsStream", "EventsTable", "TRIM_HORIZON", 10, 1, 2, true, true,
                            "StreamFailureQueue"));
        }

        @Test
        void reads_a_queue_event_with_its_settings() {
            assertThat(template.function("NotifierFunction").orElseThrow().queueEvents()).containsExactly(
                    new QueueEvent("Notifications", "NotificationsQueue", 5, 0, true));
        }

        @Test
        void reads_fifo_queues_their_visibility_and_their_dead_letter_queue() {
            assertThat(template.queue("NotificationsQueue")).hasValue(new QueueDefinition("NotificationsQueue", null,
                    true, true, 120, new QueueDefinition.Redrive("NotificationsDlq", 3)));
            assertThat(template.queue("NotificationsDlq")).hasValue(
                    new QueueDefinition("NotificationsDlq", null, true, false, 30, null));
            assertThat(template.queue("StreamFailureQueue")).hasValue(
                    new QueueDefinition("StreamFailureQueue", null, false, false, 30, null));
        }

        @Test
        void reads_a_fifo_topic_and_its_queue_subscription() {
            assertThat(template.topic("OrderEventsTopic")).hasValue(
                    new TopicDefinition("OrderEventsTopic", null, true, true));
            assertThat(template.subscriptions()).containsExactly(new SubscriptionDefinition(
                    "NotificationsSubscription", "OrderEventsTopic", "sqs", "NotificationsQueue", true, null));
        }

        @Test
        void gives_a_function_the_globals_then_its_own_variables_and_its_own_memory() {
            FunctionDefinition projection = template.function("ProjectionFunction").orElseThrow();
            assertThat(projection.memorySize()).isEqualTo(256);
            assertThat(projection.timeoutSeconds()).isEqualTo(20);
            assertThat(projection.environment()).containsEntry("STAGE", new Value.Literal("function"))
                    .containsEntry("JAVA_TOOL_OPTIONS",
                            new Value.Literal("-XX:+TieredCompilation -XX:TieredStopAtLevel=1"));
            assertThat(projection.environment().keySet()).startsWith("JAVA_TOOL_OPTIONS", "STAGE");
            assertThat(template.function("NotifierFunction").orElseThrow().environment())
                    .containsEntry("STAGE", new Value.Literal("global"));
        }

        @Test
        void reads_short_and_long_forms_of_ref_getatt_and_sub() {
            Map<String, Value> env = template.function("ProjectionFunction").orElseThrow().environment();
            assertThat(env.get("TOPIC_ARN")).isEqualTo(new Value.Ref("OrderEventsTopic"));
            assertThat(env.get("STREAM_ARN")).isEqualTo(new Value.GetAtt("EventsTable", "StreamArn"));
            assertThat(env.get("DESCRIPTION")).isEqualTo(new Value.Sub(
                    "${AWS::StackName} in ${AWS::Region} reads ${EventsTable} and ${EventsTable.StreamArn}", Map.of()));
            assertThat(env.get("QUEUE_NAME")).isEqualTo(new Value.Sub("queue ${Name}",
                    Map.of("Name", new Value.GetAtt("StreamFailureQueue", "QueueName"))));
        }

        @Test
        void keeps_other_intrinsics_as_inert_values() {
            Map<String, Value> env = template.function("ProjectionFunction").orElseThrow().environment();
            assertThat(env.get("CHOSEN")).isEqualTo(new Value.Intrinsic("Fn::If", List.of("IsProd", "a", "b")));
            assertThat(env.get("JOINED")).isEqualTo(new Value.Intrinsic("Fn::Join", List.of("-", List.of("a", "b"))));
        }

        @Test
        void leaves_a_table_name_computed_by_an_intrinsic_to_the_runtime() {
            assertThat(template.table("SnapshotsTable").orElseThrow().tableName()).isNull();
            assertThat(template.table("SnapshotsTable").orElseThrow().billingMode()).isEqualTo("PROVISIONED");
        }

        @Test
        void skips_resources_it_does_not_run_such_as_the_http_api() {
            assertThat(template.tables()).hasSize(3);
            assertThat(template.keys()).containsExactly("PersonalDataKey");
            assertThat(template.functions()).extracting(FunctionDefinition::logicalId)
                    .containsExactly("ApiFunction", "ProjectionFunction", "NotifierFunction");
            assertThat(template.function("ApiFunction").orElseThrow().httpApiEvents()).first()
                    .isEqualTo(new HttpApiEvent("CreateCustomer", "POST", "/customers"));
        }

        @Test
        void skips_alarms_and_dashboards_and_gives_an_optional_parameter_its_empty_default() {
            // the template declares an AWS::CloudWatch::Alarm on NotificationsDlq and an AWS::CloudWatch::Dashboard
            assertThat(template.queues()).extracting(QueueDefinition::logicalId)
                    .containsExactlyInAnyOrder("StreamFailureQueue", "NotificationsQueue", "NotificationsDlq");
            assertThat(template.parameters()).containsEntry("AlarmTopicArn", "");
        }
    }

    @Nested
    class Errors {
        @Test
        void a_table_without_a_hash_key_is_refused_naming_where() {
            String yaml = """
                    Resources:
                      Broken:
                        Type: AWS::DynamoDB::Table
                        Properties:
                          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
                          KeySchema: [{AttributeName: id, KeyType: RANGE}]
                    """;
            assertThatThrownBy(() -> TemplateReader.parse(yaml, "t.yaml"))
                    .isInstanceOfSatisfying(TemplateException.class, e ->
                            assertThat(e.location()).isEqualTo("Resources.Broken.Properties.KeySchema"))
                    .hasMessageContaining("no HASH key");
        }

        @Test
        void a_filter_criteria_is_read_per_event_and_an_operator_the_runtime_does_not_apply_is_refused_naming_it() {
            String yaml = """
                    Resources:
                      F:
                        Type: AWS::Serverless::Function
                        Properties:
                          Handler: x.Y::handleRequest
                          Events:
                            Q:
                              Type: SQS
                              Properties:
                                Queue: !GetAtt Q.Arn
                                FilterCriteria:
                                  Filters:
                                    - Pattern: '{"body":{"kind":["a"]}}'
                                    - Pattern: '{"body":{"kind":[{"prefix":"b"}]}}'
                    """;
            assertThat(TemplateReader.parse(yaml, "t.yaml").function("F").orElseThrow().queueEvents().getFirst()
                    .filterPatterns()).containsExactly("{\"body\":{\"kind\":[\"a\"]}}",
                    "{\"body\":{\"kind\":[{\"prefix\":\"b\"}]}}");

            String unsupported = yaml.replace("{\"prefix\":\"b\"}", "{\"suffix\":\"b\"}");
            assertThatThrownBy(() -> TemplateReader.parse(unsupported, "t.yaml"))
                    .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                            .isEqualTo("Resources.F.Properties.Events.Q.Properties.FilterCriteria"))
                    .hasMessageContaining("unsupported filter operator: suffix");
        }

        @Test
        void a_stream_event_on_something_else_than_a_stream_arn_is_refused() {
            String yaml = """
                    Resources:
                      F:
                        Type: AWS::Serverless::Function
                        Properties:
                          Handler: x.Y::handleRequest
                          Events:
                            S:
                              Type: DynamoDB
                              Properties: {Stream: !GetAtt T.Arn, StartingPosition: LATEST}
                    """;
            assertThatThrownBy(() -> TemplateReader.parse(yaml, "t.yaml"))
                    .isInstanceOfSatisfying(TemplateException.class, e ->
                            assertThat(e.location()).isEqualTo("Resources.F.Properties.Events.S.Properties.Stream"))
                    .hasMessageContaining("StreamArn");
        }

        @Test
        void schedule_events_are_read_as_rates_or_kept_as_cron_and_a_malformed_rate_is_refused_naming_where() {
            String yaml = """
                    Resources:
                      F:
                        Type: AWS::Serverless::Function
                        Properties:
                          Handler: x.Y::handleRequest
                          Events:
                            A: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}
                            B: {Type: Schedule, Properties: {Schedule: rate(1 hour), Enabled: false}}
                            C: {Type: Schedule, Properties: {Schedule: "cron(0 12 * * ? *)"}}
                    """;
            assertThat(TemplateReader.parse(yaml, "t.yaml").function("F").orElseThrow().scheduleEvents())
                    .containsExactly(
                            new FunctionDefinition.ScheduleEvent("A", "rate(5 minutes)",
                                    java.time.Duration.ofMinutes(5), true),
                            new FunctionDefinition.ScheduleEvent("B", "rate(1 hour)", java.time.Duration.ofHours(1),
                                    false),
                            new FunctionDefinition.ScheduleEvent("C", "cron(0 12 * * ? *)", null, true));
            for (String bad : java.util.List.of("rate(1 minutes)", "rate(2 minute)", "rate(0 minutes)",
                    "rate(5 seconds)", "every minute")) {
                String broken = yaml.replace("rate(5 minutes)", bad);
                assertThatThrownBy(() -> TemplateReader.parse(broken, "t.yaml"))
                        .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                                .isEqualTo("Resources.F.Properties.Events.A.Properties.Schedule"));
            }
        }

        @Test
        void an_index_key_without_an_attribute_definition_or_a_projection_is_refused_naming_where() {
            String yaml = """
                    Resources:
                      T:
                        Type: AWS::DynamoDB::Table
                        Properties:
                          AttributeDefinitions: [{AttributeName: id, AttributeType: S}, {AttributeName: g, AttributeType: S}]
                          KeySchema: [{AttributeName: id, KeyType: HASH}]
                          GlobalSecondaryIndexes:
                            - IndexName: byG
                              KeySchema: [{AttributeName: g, KeyType: HASH}, {AttributeName: h, KeyType: RANGE}]
                              Projection: {ProjectionType: ALL}
                    """;
            assertThatThrownBy(() -> TemplateReader.parse(yaml, "t.yaml"))
                    .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                            .isEqualTo("Resources.T.Properties.GlobalSecondaryIndexes[0].KeySchema"))
                    .hasMessageContaining("h has no AttributeDefinition");
            String included = yaml.replace("{AttributeName: h, KeyType: RANGE}", "{AttributeName: id, KeyType: RANGE}")
                    .replace("{ProjectionType: ALL}", "{ProjectionType: INCLUDE, NonKeyAttributes: [x, y]}");
            assertThat(TemplateReader.parse(included, "t.yaml").table("T").orElseThrow().globalSecondaryIndexes())
                    .containsExactly(new TableDefinition.GlobalSecondaryIndex("byG", new KeyAttribute("g", "S"),
                            new KeyAttribute("id", "S"), "INCLUDE", List.of("x", "y")));
            String noProjection = yaml.replace("{AttributeName: h, KeyType: RANGE}", "{AttributeName: id, KeyType: RANGE}")
                    .replace("      Projection: {ProjectionType: ALL}\n", "");
            assertThatThrownBy(() -> TemplateReader.parse(noProjection, "t.yaml"))
                    .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                            .isEqualTo("Resources.T.Properties.GlobalSecondaryIndexes[0].Projection"));
        }

        @Test
        void a_secret_the_runtime_cannot_generate_is_refused_naming_where() {
            String yaml = """
                    Resources:
                      S:
                        Type: AWS::SecretsManager::Secret
                        Properties:
                          SecretString: written-in-the-template
                    """;
            assertThatThrownBy(() -> TemplateReader.parse(yaml, "t.yaml"))
                    .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                            .isEqualTo("Resources.S.Properties"))
                    .hasMessageContaining("GenerateSecretString");
            String generated = yaml.replace("SecretString: written-in-the-template",
                    "GenerateSecretString: {PasswordLength: 50}");
            assertThat(TemplateReader.parse(generated, "t.yaml").secrets())
                    .containsExactly(new SecretDefinition("S", 50, false));
        }

        @Test
        void text_that_is_not_yaml_is_refused() {
            assertThatThrownBy(() -> TemplateReader.parse("Resources: [unclosed", "bad.yaml"))
                    .isInstanceOf(TemplateException.class).hasMessageStartingWith("bad.yaml:");
        }
    }
}
