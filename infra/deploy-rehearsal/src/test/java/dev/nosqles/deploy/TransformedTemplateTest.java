package dev.nosqles.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * template.yaml as CloudFormation receives it from {@code sam deploy} (transformed offline by the SAM translator):
 * least privilege, and the settings that moto's CloudFormation does not model (the HTTP API, aliases, SnapStart,
 * architecture, point-in-time recovery, table encryption), which the {@link DeployRehearsalTest} therefore cannot
 * check through the service APIs.
 */
class TransformedTemplateTest {
    private static JsonNode template;
    private static JsonNode resources;

    @BeforeAll
    static void transform() {
        template = SamTranslator.transform(SamTranslator.projectTemplate(), "s3://nosqles-code/app.zip");
        resources = template.path("Resources");
    }

    @Test
    void every_role_names_the_resources_of_its_statements_and_attaches_no_managed_policy() {
        assertThat(ofType("AWS::IAM::Role")).hasSize(6);

        assertThat(LeastPrivilege.findings(template)).isEmpty();
    }

    @Test
    void the_review_flags_the_managed_policies_sam_attaches_when_it_generates_the_role() throws URISyntaxException {
        Path fixture = Path.of(Objects.requireNonNull(getClass().getResource("generated-role.yaml")).toURI());

        List<String> findings = LeastPrivilege.findings(SamTranslator.transform(fixture, "s3://b/k.zip"));

        assertThat(findings).anySatisfy(f -> assertThat(f).contains("AWSLambdaDynamoDBExecutionRole"))
                .anySatisfy(f -> assertThat(f).contains("AWSLambdaSQSQueueExecutionRole"))
                .anySatisfy(f -> assertThat(f).contains("AWSLambdaBasicExecutionRole"));
    }

    @Test
    void a_statement_on_resource_star_or_a_wildcard_arn_is_a_finding_unless_written_down()
            throws Exception {
        JsonNode role = SamTranslator.JSON.readTree("""
                {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {
                  "Statement": [
                    {"Sid": "Tracing", "Effect": "Allow", "Resource": "*",
                     "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]},
                    {"Sid": "AnyStream", "Effect": "Allow", "Resource": "*", "Action": ["dynamodb:GetRecords"]},
                    {"Sid": "Mixed", "Effect": "Allow", "Resource": ["*"],
                     "Action": ["cloudwatch:PutMetricData", "sqs:ReceiveMessage"]},
                    {"Sid": "Everything", "Effect": "Allow", "Resource": {"Fn::GetAtt": ["T", "Arn"]},
                     "Action": "dynamodb:*"},
                    {"Sid": "Streams", "Effect": "Allow", "Resource": {"Fn::Sub": "${T.Arn}/stream/*"},
                     "Action": "dynamodb:ListStreams"},
                    {"Sid": "AnyTable", "Effect": "Allow", "Action": "dynamodb:Query",
                     "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}]},
                    {"Sid": "Denied", "Effect": "Deny", "Resource": "*", "Action": "s3:*"}]}}]}}}}
                """);

        assertThat(LeastPrivilege.findings(role)).containsExactly(
                "R.Policies[0].Statement[1] (AnyStream) allows [dynamodb:GetRecords] on Resource \"*\"",
                "R.Policies[0].Statement[2] (Mixed) allows [sqs:ReceiveMessage] on Resource \"*\"",
                "R.Policies[0].Statement[3] (Everything) allows every action: dynamodb:*",
                "R.Policies[0].Statement[5] (AnyTable) names resources by a wildcard: "
                        + "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*");
    }

    @Test
    void the_events_topic_is_encrypted_with_a_rotated_key_usable_by_the_publisher_for_that_topic_only() {
        JsonNode topic = resources.path("EventsTopic").path("Properties");
        assertThat(topic.path("KmsMasterKeyId").path("Ref").asText()).isEqualTo("EventsTopicKey");
        JsonNode key = resources.path("EventsTopicKey").path("Properties");
        assertThat(key.path("EnableKeyRotation").asBoolean()).isTrue();

        JsonNode publisher = statementWithSid(key.path("KeyPolicy"), "PublisherEncryptsForTheEventsTopic");
        assertThat(publisher.path("Principal").path("AWS").path("Fn::GetAtt").get(0).asText())
                .isEqualTo("OrderSagaStreamFunctionRole");
        assertThat(strings(publisher.path("Action"))).containsExactlyInAnyOrder("kms:GenerateDataKey", "kms:Decrypt");
        assertThat(publisher.path("Condition").path("StringEquals").path("kms:EncryptionContext:aws:sns:topicArn")
                .path("Fn::Sub").asText()).endsWith(":${AWS::StackName}-events.fifo");
        assertThat(topic.path("TopicName").path("Fn::Sub").asText()).isEqualTo("${AWS::StackName}-events.fifo");
    }

    @Test
    void the_saga_functions_may_write_the_deadline_entries_the_way_their_code_does() {
        // the stream function's command sender arms (sweeper deadlines) or postpones an entry: UpdateItem (ADR 0013)
        JsonNode stream = statementWithSid(resources.path("OrderSagaStreamFunctionRole").path("Properties")
                .path("Policies").get(0).path("PolicyDocument"), "RecordSagaDeadlines");
        assertThat(strings(stream.path("Action"))).containsExactlyInAnyOrder("dynamodb:PutItem",
                "dynamodb:DeleteItem", "dynamodb:UpdateItem");
        assertThat(stream.path("Resource").path("Fn::GetAtt").get(0).asText()).isEqualTo("SagaDeadlinesTable");
        // the publisher's place (ADR 0012): the stream function publishes to the topic
        JsonNode publish = statementWithSid(resources.path("OrderSagaStreamFunctionRole").path("Properties")
                .path("Policies").get(0).path("PolicyDocument"), "PublishEvents");
        assertThat(strings(publish.path("Action"))).containsExactly("sns:Publish");
    }

    @Test
    void the_http_api_logs_every_request_throttles_every_route_and_requires_iam_on_every_route() {
        JsonNode stage = ofType("AWS::ApiGatewayV2::Stage").getFirst().path("Properties");
        // moto's CloudFormation reports ApiGatewayV2 resources as created without creating them: checked here
        assertThat(stage.path("AccessLogSettings").path("DestinationArn").path("Fn::GetAtt").get(0).asText())
                .isEqualTo("HttpApiAccessLogs");
        assertThat(stage.path("AccessLogSettings").path("Format").asText())
                .contains("$context.requestId", "$context.identity.userArn", "$context.routeKey", "$context.status",
                        "$context.responseLatency", "$context.integrationErrorMessage",
                        // the Lambda request id: the API function's log lines carry it with the correlation id
                        "\"integrationRequestId\":\"$context.integration.requestId\"");
        assertThat(stage.path("DefaultRouteSettings").path("ThrottlingRateLimit").asInt()).isPositive();
        assertThat(stage.path("DefaultRouteSettings").path("ThrottlingBurstLimit").asInt()).isPositive();
        assertThat(resources.path("HttpApiAccessLogs").path("Properties").path("RetentionInDays").isMissingNode())
                .isFalse();

        List<String> operations = new ArrayList<>();
        resources.path("HttpApi").path("Properties").path("Body").path("paths").fields().forEachRemaining(path ->
                path.getValue().fields().forEachRemaining(op -> {
                    operations.add(op.getKey() + " " + path.getKey());
                    assertThat(op.getValue().path("security").toString()).as(op.getKey() + " " + path.getKey())
                            .isEqualTo("[{\"AWS_IAM\":[]}]");
                }));
        assertThat(operations).hasSize(10);
    }

    @Test
    void every_function_runs_snapstart_versions_through_its_alias_with_its_own_role_and_log_group() {
        List<String> functions = ids("AWS::Lambda::Function");
        assertThat(functions).hasSize(6);
        Set<String> roles = new HashSet<>();
        for (String id : functions) {
            JsonNode f = resources.path(id).path("Properties");
            // moto's Lambda ignores SnapStart and the architecture, and its CloudFormation has no AWS::Lambda::Alias
            assertThat(f.path("SnapStart").path("ApplyOn").asText()).as(id).isEqualTo("PublishedVersions");
            assertThat(strings(f.path("Architectures"))).as(id).containsExactly("arm64");
            assertThat(resources.path(id + "Aliaslive").path("Properties").path("FunctionName").path("Ref").asText())
                    .as(id).isEqualTo(id);
            String role = f.path("Role").path("Fn::GetAtt").get(0).asText();
            assertThat(resources.path(role).path("Type").asText()).as(id).isEqualTo("AWS::IAM::Role");
            assertThat(roles.add(role)).as(id + " shares its role").isTrue();
            String logGroup = f.path("LoggingConfig").path("LogGroup").path("Ref").asText();
            assertThat(resources.path(logGroup).path("Type").asText()).as(id).isEqualTo("AWS::Logs::LogGroup");
        }
        for (JsonNode mapping : ofType("AWS::Lambda::EventSourceMapping")) {
            assertThat(mapping.path("Properties").path("FunctionName").path("Ref").asText()).endsWith("Aliaslive");
        }
    }

    @Test
    void queue_mappings_have_a_concurrency_ceiling_and_fifo_ones_no_batching_window() {
        int fifo = 0;
        int queues = 0;
        for (JsonNode mapping : ofType("AWS::Lambda::EventSourceMapping")) {
            JsonNode p = mapping.path("Properties");
            JsonNode source = resources.path(p.path("EventSourceArn").path("Fn::GetAtt").get(0).asText());
            if (!source.path("Type").asText().equals("AWS::SQS::Queue")) {
                continue;
            }
            queues++;
            int ceiling = p.path("ScalingConfig").path("MaximumConcurrency").asInt();
            assertThat(ceiling).as(p.toString()).isBetween(2, 1000);
            if (source.path("Properties").path("FifoQueue").asBoolean()) {
                fifo++;
                assertThat(p.has("MaximumBatchingWindowInSeconds")).as(p.toString()).isFalse();
            }
        }
        assertThat(queues).isEqualTo(3);
        assertThat(fifo).isEqualTo(2);
    }

    @Test
    void the_api_function_reserves_concurrency_unless_the_parameter_says_zero() {
        JsonNode reserved = resources.path("ApiFunction").path("Properties").path("ReservedConcurrentExecutions");
        assertThat(reserved.toString()).isEqualTo(
                "{\"Fn::If\":[\"ReserveApiConcurrency\",{\"Ref\":\"ApiReservedConcurrency\"},{\"Ref\":\"AWS::NoValue\"}]}");
        assertThat(template.path("Parameters").path("ApiReservedConcurrency").path("Default").asInt()).isPositive();
        List<String> others = ids("AWS::Lambda::Function").stream()
                .filter(id -> resources.path(id).path("Properties").has("ReservedConcurrentExecutions")).toList();
        assertThat(others).containsExactly("ApiFunction");
    }

    @Test
    void every_table_is_encrypted_and_the_retained_ones_have_point_in_time_recovery() {
        // moto accepts SSESpecification and PointInTimeRecoverySpecification in CloudFormation but models neither
        for (String id : ids("AWS::DynamoDB::Table")) {
            JsonNode table = resources.path(id);
            assertThat(table.path("Properties").path("SSESpecification").path("SSEEnabled").asBoolean()).as(id).isTrue();
            if (table.path("DeletionPolicy").asText().equals("Retain")) {
                assertThat(table.path("Properties").path("PointInTimeRecoverySpecification")
                        .path("PointInTimeRecoveryEnabled").asBoolean()).as(id).isTrue();
            }
        }
    }

    @Test
    void the_cursor_key_is_generated_by_secrets_manager_and_only_the_api_function_receives_it() {
        // moto's CloudFormation has no AWS::SecretsManager::Secret: the rehearsal replaces it (MotoStack)
        assertThat(ids("AWS::SecretsManager::Secret")).containsExactly("CursorSigningSecret");
        JsonNode generate = resources.path("CursorSigningSecret").path("Properties").path("GenerateSecretString");
        assertThat(generate.path("PasswordLength").asInt()).isGreaterThanOrEqualTo(43);
        assertThat(generate.path("ExcludePunctuation").asBoolean()).isTrue();
        assertThat(generate.has("SecretStringTemplate")).isFalse();
        List<String> readers = new ArrayList<>();
        for (String id : ids("AWS::Lambda::Function")) {
            resources.path(id).path("Properties").path("Environment").path("Variables").fields().forEachRemaining(v -> {
                if ("CursorSigningSecret".equals(MotoStack.dynamicReference(v.getValue()))) {
                    readers.add(id + " " + v.getKey());
                }
            });
        }
        assertThat(readers).containsExactly("ApiFunction CURSOR_SIGNING_KEY");
        // and the reference names a version (the CursorKeyVersion stage): CloudFormation re-resolves a dynamic
        // reference only when it changes, so a rotation is a new label and a deploy with it
        assertThat(resources.path("ApiFunction").path("Properties").path("Environment").path("Variables")
                .path("CURSOR_SIGNING_KEY").path("Fn::Sub").asText())
                .isEqualTo("{{resolve:secretsmanager:${CursorSigningSecret}:SecretString::${CursorKeyVersion}}}");
        assertThat(template.path("Parameters").path("CursorKeyVersion").path("Default").asText())
                .isEqualTo("AWSCURRENT");
        // nothing else names the secret: no role may read it at run time, no output shows it
        assertThat(template.toString().split("CursorSigningSecret", -1)).hasSize(3);
    }

    private static JsonNode statementWithSid(JsonNode policy, String sid) {
        for (JsonNode s : policy.path("Statement")) {
            if (s.path("Sid").asText().equals(sid)) {
                return s;
            }
        }
        throw new AssertionError("no statement " + sid + " in " + policy);
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

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(n -> out.add(n.asText()));
        return out;
    }
}
