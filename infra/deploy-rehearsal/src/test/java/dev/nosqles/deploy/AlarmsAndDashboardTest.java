package dev.nosqles.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operations resources of template.yaml as CloudFormation receives them (transformed offline by the SAM
 * translator): every function, stream consumer and failure queue has its alarms, every alarm notifies the
 * AlarmTopicArn parameter's topic when it is set, and the dashboard shows every framework metric and each
 * function's, queue's and table's health. The resources the alarms watch are found from the template itself (its
 * functions, event-source mappings, redrive policies, on-failure destinations), so a new function or queue without
 * its alarm fails here. moto's CloudFormation creates no alarms; the dashboard is created by the rehearsal
 * ({@link DeployRehearsalTest}).
 */
class AlarmsAndDashboardTest {
    /**
     * The framework's metrics (namespace {@code nosqles}, dimension {@code Service}): the contract of
     * {@code dev.nosqles.metrics.Metric} in core, by their CloudWatch names.
     */
    private static final List<String> FRAMEWORK_METRICS = List.of("CommandsHandled", "CommandsRejected",
            "ConcurrencyConflicts", "CommandRetries", "DuplicatesDropped", "EventsDispatched", "SubscriptionLag",
            "SagasStarted", "SagasCompleted", "SagasFailed", "SagasPastDue", "SagaLateRepliesTaken", "SagaCommandsResent",
            "InProcessFallbacks", "DlqRedrives");

    private static JsonNode template;
    private static JsonNode resources;

    @BeforeAll
    static void transform() {
        template = SamTranslator.transform(SamTranslator.projectTemplate(), "s3://nosqles-code/app.zip");
        resources = template.path("Resources");
    }

    @Test
    void every_function_has_an_errors_and_a_throttles_alarm_and_its_own_log_group_with_the_retention() {
        List<String> functions = ids("AWS::Lambda::Function");
        assertThat(functions).hasSize(6);
        for (String function : functions) {
            for (String metric : List.of("Errors", "Throttles")) {
                List<JsonNode> alarms = alarmsOn("AWS/Lambda", metric, "FunctionName", ref(function));
                assertThat(alarms).as(function + " " + metric + " alarm").hasSize(1);
                JsonNode alarm = alarms.getFirst();
                assertThat(alarm.path("Statistic").asText()).as(function + " " + metric).isEqualTo("Sum");
                assertThat(alarm.path("ComparisonOperator").asText()).as(function + " " + metric)
                        .isEqualTo("GreaterThanOrEqualToThreshold");
                assertThat(alarm.path("Threshold").asDouble()).as(function + " " + metric).isEqualTo(1);
            }
            String logGroup = resources.path(function).path("Properties").path("LoggingConfig").path("LogGroup")
                    .path("Ref").asText();
            assertThat(resources.path(logGroup).path("Type").asText()).as(function).isEqualTo("AWS::Logs::LogGroup");
            assertThat(resources.path(logGroup).path("Properties").path("RetentionInDays").toString()).as(function)
                    .isEqualTo("{\"Ref\":\"LogRetentionDays\"}");
        }
        assertThat(resources.path("HttpApiAccessLogs").path("Properties").path("RetentionInDays").toString())
                .isEqualTo("{\"Ref\":\"LogRetentionDays\"}");
    }

    @Test
    void every_function_fed_by_a_stream_has_an_iterator_age_alarm() {
        Set<String> streamFunctions = streamFunctions();
        assertThat(streamFunctions).containsExactly("OrderSagaStreamFunction"); // the events table's one reader (ADR 0012)
        for (String function : streamFunctions) {
            List<JsonNode> alarms = alarmsOn("AWS/Lambda", "IteratorAge", "FunctionName", ref(function));
            assertThat(alarms).as(function + " IteratorAge alarm").hasSize(1);
            JsonNode alarm = alarms.getFirst();
            assertThat(alarm.path("Statistic").asText()).as(function).isEqualTo("Maximum");
            // in milliseconds: more than a few seconds and far less than the stream's 24-hour retention
            assertThat(alarm.path("Threshold").asDouble()).as(function).isBetween(10_000.0, 3_600_000.0);
        }
    }

    @Test
    void every_dead_letter_queue_and_on_failure_destination_has_a_depth_alarm_on_its_first_message() {
        Set<String> failureQueues = new LinkedHashSet<>();
        for (String queue : ids("AWS::SQS::Queue")) {
            JsonNode target = resources.path(queue).path("Properties").path("RedrivePolicy")
                    .path("deadLetterTargetArn").path("Fn::GetAtt");
            if (!target.isMissingNode()) {
                failureQueues.add(target.path(0).asText());
            }
        }
        for (JsonNode mapping : ofType("AWS::Lambda::EventSourceMapping")) {
            JsonNode destination = mapping.path("Properties").path("DestinationConfig").path("OnFailure")
                    .path("Destination").path("Fn::GetAtt");
            if (!destination.isMissingNode()) {
                failureQueues.add(destination.path(0).asText());
            }
        }
        assertThat(failureQueues).containsExactlyInAnyOrder("StreamFailuresQueue", "CustomerCommandsDlq",
                "OrderCommandsDlq", "SagaRepliesDlq");
        for (String queue : failureQueues) {
            List<JsonNode> alarms = alarmsOn("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
                    "{\"Fn::GetAtt\":[\"" + queue + "\",\"QueueName\"]}");
            assertThat(alarms).as(queue + " depth alarm").hasSize(1);
            JsonNode alarm = alarms.getFirst();
            assertThat(alarm.path("ComparisonOperator").asText() + " " + alarm.path("Threshold").asDouble())
                    .as(queue).isEqualTo("GreaterThanThreshold 0.0");
        }
    }

    @Test
    void every_alarm_notifies_the_alarm_topic_of_the_parameter_when_it_is_set_and_says_what_to_do() {
        JsonNode parameter = template.path("Parameters").path("AlarmTopicArn");
        assertThat(parameter.path("Type").asText()).isEqualTo("String");
        assertThat(parameter.path("Default").isTextual() && parameter.path("Default").asText().isEmpty()).isTrue();
        assertThat(template.path("Conditions").path("HasAlarmTopic").toString())
                .isEqualTo("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"AlarmTopicArn\"},\"\"]}]}");
        String actions = "{\"Fn::If\":[\"HasAlarmTopic\",[{\"Ref\":\"AlarmTopicArn\"}],{\"Ref\":\"AWS::NoValue\"}]}";

        List<String> alarms = ids("AWS::CloudWatch::Alarm");
        assertThat(alarms).hasSize(6 * 2 + 1 + 4 + 1);
        for (String id : alarms) {
            JsonNode alarm = resources.path(id).path("Properties");
            assertThat(alarm.path("AlarmActions").toString()).as(id).isEqualTo(actions);
            assertThat(alarm.path("OKActions").toString()).as(id).isEqualTo(actions);
            assertThat(alarm.path("TreatMissingData").asText()).as(id).isEqualTo("notBreaching");
            assertThat(alarm.path("AlarmDescription").asText()).as(id).contains("Runbook:");
        }
    }

    @Test
    void sagas_past_due_alarm_only_when_every_sweep_of_fifteen_minutes_found_one() {
        List<JsonNode> alarms = alarmsOn("nosqles", "SagasPastDue", "Service", ref("AWS::StackName"));
        assertThat(alarms).hasSize(1);
        JsonNode alarm = alarms.getFirst();
        // the Minimum of each 5-minute period is >= 1 only if every sweep (one a minute) of it found one
        assertThat(alarm.path("Statistic").asText()).isEqualTo("Minimum");
        assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
        assertThat(alarm.path("Threshold").asDouble()).isEqualTo(1);
        assertThat(alarm.path("Period").asInt() * alarm.path("EvaluationPeriods").asInt()).isEqualTo(900);
        assertThat(alarm.path("DatapointsToAlarm").asInt()).isEqualTo(alarm.path("EvaluationPeriods").asInt());
        assertThat(alarm.path("Dimensions")).hasSize(1);
    }

    @Test
    void the_dashboard_shows_every_framework_metric_and_each_function_queue_and_table() {
        Set<String> shown = dashboardMetrics();

        for (String metric : FRAMEWORK_METRICS) {
            assertThat(shown).as(metric).contains("nosqles " + metric + " Service=${AWS::StackName}");
        }
        for (String function : ids("AWS::Lambda::Function")) {
            for (String metric : List.of("Invocations", "Errors", "Throttles", "Duration")) {
                assertThat(shown).as(function + " " + metric)
                        .contains("AWS/Lambda " + metric + " FunctionName=${" + function + "}");
            }
        }
        for (String function : streamFunctions()) {
            assertThat(shown).contains("AWS/Lambda IteratorAge FunctionName=${" + function + "}");
        }
        for (String queue : ids("AWS::SQS::Queue")) {
            assertThat(shown).as(queue)
                    .contains("AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${" + queue + ".QueueName}");
        }
        for (String table : ids("AWS::DynamoDB::Table")) {
            assertThat(shown).as(table).contains("AWS/DynamoDB ConsumedReadCapacityUnits TableName=${" + table + "}",
                    "AWS/DynamoDB ConsumedWriteCapacityUnits TableName=${" + table + "}");
        }
    }

    @Test
    void the_dashboard_names_only_resources_of_this_stack_and_is_valid_json_in_every_widget() {
        String body = resources.path("OperationsDashboard").path("Properties").path("DashboardBody").path("Fn::Sub")
                .asText();
        Matcher m = Pattern.compile("\\$\\{([^}]*)}").matcher(body);
        Set<String> named = new LinkedHashSet<>();
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).contains("AWS::Region", "AWS::StackName");
        for (String variable : named) {
            if (variable.startsWith("AWS::")) {
                assertThat(variable).isIn("AWS::Region", "AWS::StackName");
            } else {
                String id = variable.contains(".") ? variable.substring(0, variable.indexOf('.')) : variable;
                assertThat(resources.has(id)).as(variable).isTrue();
            }
        }
        for (JsonNode widget : dashboard().path("widgets")) {
            assertThat(widget.path("type").asText()).isIn("metric", "text");
            if (widget.path("type").asText().equals("metric")) {
                assertThat(widget.path("properties").path("region").asText()).isEqualTo("${AWS::Region}");
                assertThat(widget.path("properties").path("metrics")).isNotEmpty();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Every metric on the dashboard as "namespace name dimension=value ...", the values as written in the body
     * ({@code ${LogicalId}} placeholders kept: they are JSON strings, so the body parses before substitution).
     */
    private static Set<String> dashboardMetrics(JsonNode dashboard) {
        Set<String> shown = new LinkedHashSet<>();
        for (JsonNode widget : dashboard.path("widgets")) {
            for (JsonNode metric : widget.path("properties").path("metrics")) {
                List<String> parts = new ArrayList<>();
                metric.forEach(p -> {
                    if (p.isTextual()) {
                        parts.add(p.asText());
                    }
                });
                StringBuilder line = new StringBuilder(parts.get(0) + " " + parts.get(1));
                for (int i = 2; i + 1 < parts.size(); i += 2) {
                    line.append(' ').append(parts.get(i)).append('=').append(parts.get(i + 1));
                }
                shown.add(line.toString());
            }
        }
        return shown;
    }

    private static Set<String> dashboardMetrics() {
        return dashboardMetrics(dashboard());
    }

    private static JsonNode dashboard() {
        JsonNode dashboard = resources.path("OperationsDashboard");
        assertThat(dashboard.path("Type").asText()).isEqualTo("AWS::CloudWatch::Dashboard");
        try {
            return SamTranslator.JSON.readTree(dashboard.path("Properties").path("DashboardBody").path("Fn::Sub")
                    .asText());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("the dashboard body is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The alarms on this metric whose only dimension is {@code name} = {@code value} (as JSON). */
    private static List<JsonNode> alarmsOn(String namespace, String metric, String name, String value) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode alarm : ofType("AWS::CloudWatch::Alarm")) {
            JsonNode p = alarm.path("Properties");
            JsonNode dimensions = p.path("Dimensions");
            if (p.path("Namespace").asText().equals(namespace) && p.path("MetricName").asText().equals(metric)
                    && dimensions.size() == 1 && dimensions.get(0).path("Name").asText().equals(name)
                    && dimensions.get(0).path("Value").toString().equals(value)) {
                found.add(p);
            }
        }
        return found;
    }

    private static String ref(String id) {
        return "{\"Ref\":\"" + id + "\"}";
    }

    /** The functions an event-source mapping feeds from a table's stream. */
    private static Set<String> streamFunctions() {
        Set<String> functions = new LinkedHashSet<>();
        for (JsonNode mapping : ofType("AWS::Lambda::EventSourceMapping")) {
            JsonNode source = mapping.path("Properties").path("EventSourceArn").path("Fn::GetAtt");
            if (source.path(1).asText().equals("StreamArn")) {
                functions.add(functionOf(mapping));
            }
        }
        return functions;
    }

    /** The function an event-source mapping invokes (through its alias {@code live}). */
    private static String functionOf(JsonNode mapping) {
        String target = mapping.path("Properties").path("FunctionName").path("Ref").asText();
        JsonNode alias = resources.path(target);
        return alias.path("Type").asText().equals("AWS::Lambda::Alias")
                ? alias.path("Properties").path("FunctionName").path("Ref").asText() : target;
    }

    private static List<String> ids(String type) {
        List<String> ids = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    private static List<JsonNode> ofType(String type) {
        return ids(type).stream().map(resources::path).toList();
    }
}
