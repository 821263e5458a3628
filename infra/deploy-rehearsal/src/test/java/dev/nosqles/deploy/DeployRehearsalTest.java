package dev.nosqles.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.localaws.Backend;
import dev.nosqles.localaws.LocalAws;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.StackResourceSummary;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The deploy rehearsal: template.yaml transformed by the SAM translator, as {@code sam deploy} has CloudFormation do
 * it, created as a stack on the local AWS's CloudFormation (moto), then inspected through the service APIs: every
 * table, queue, the topic and its key, every role, log group, function and event-source mapping with the settings
 * the template declares, and each role allowed nothing but resources of this stack. The stack is deleted at the end,
 * with the tables it retains, so that no partial stack or orphan remains.
 *
 * <p>What moto does not model is checked on the transformed template in {@link TransformedTemplateTest} instead:
 * the HTTP API (moto reports {@code AWS::ApiGatewayV2::Api} and {@code Stage} as created without creating them),
 * {@code AWS::Lambda::Alias} (unsupported: removed here, see {@link MotoStack#withoutAliases}), SnapStart and the
 * arm64 architecture (ignored), point-in-time recovery and table encryption (ignored).
 *
 * <p>It runs on moto, the default backend. When another backend is chosen ({@code AWS_ENDPOINT_URL}, LocalStack,
 * ...) its tests are aborted rather than creating a stack there, so that the suite does not need moto then.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeployRehearsalTest {
    private final LocalAws aws = LocalAws.shared();
    private final String stackName = "nosqles-rehearsal-" + UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = stackName + "-code";
    private final CloudFormationClient cf = client(CloudFormationClient.builder());
    private final DynamoDbClient dynamoDb = client(DynamoDbClient.builder());
    private final SqsClient sqs = client(SqsClient.builder());
    private final SnsClient sns = client(SnsClient.builder());
    private final KmsClient kms = client(KmsClient.builder());
    private final IamClient iam = client(IamClient.builder());
    private final LambdaClient lambda = client(LambdaClient.builder());
    private final CloudWatchLogsClient logs = client(CloudWatchLogsClient.builder());
    private final S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true)
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();

    private JsonNode resources;
    private List<String> removedAliases;
    private List<String> removedSecrets;
    private List<String> removedAlarms;
    private final Map<String, StackResourceSummary> created = new LinkedHashMap<>();
    private int unnamed;
    private boolean deployed;

    @BeforeAll
    void deploy() {
        // moto only: another backend (AWS_ENDPOINT_URL may even be a real account) gets no stack from a test
        Assumptions.assumeTrue(aws.backend() == Backend.MOTO,
                "the deploy rehearsal runs on moto; the chosen backend is " + aws.description());
        deployed = true;
        // what `sam package` uploads: moto's Lambda reads the code from its S3 at CreateFunction
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket(bucket).key("app.zip"), RequestBody.fromBytes(zip()));
        ObjectNode template = (ObjectNode) SamTranslator.transform(SamTranslator.projectTemplate(),
                "s3://" + bucket + "/app.zip");
        resources = template.get("Resources").deepCopy();
        removedAliases = MotoStack.withoutAliases(template);
        removedSecrets = MotoStack.withoutSecrets(template);
        removedAlarms = MotoStack.withoutAlarms(template);
        for (StackResourceSummary r : MotoStack.create(cf, stackName, template)) {
            if (r.logicalResourceId() == null || r.logicalResourceId().isEmpty()) {
                unnamed++;
            } else {
                created.put(r.logicalResourceId(), r);
            }
        }
    }

    @AfterAll
    void deleteTheStackAndWhatItRetains() {
        if (!deployed) {
            return;
        }
        List<String> retainedTables = new ArrayList<>();
        List<String> retainedKeys = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("DeletionPolicy").asText().equals("Retain") && created.containsKey(e.getKey())) {
                String type = e.getValue().path("Type").asText();
                (type.equals("AWS::KMS::Key") ? retainedKeys : retainedTables)
                        .add(created.get(e.getKey()).physicalResourceId());
            }
        });
        StackStatus status = MotoStack.delete(cf, stackName);
        for (String table : retainedTables) {
            try {
                dynamoDb.deleteTable(b -> b.tableName(table));
            } catch (ResourceNotFoundException deletedWithTheStack) {
                // already gone: moto does not always keep a table whose DeletionPolicy is Retain
            }
        }
        for (String key : retainedKeys) {
            kms.scheduleKeyDeletion(b -> b.keyId(key).pendingWindowInDays(7));
        }
        s3.listObjectsV2(b -> b.bucket(bucket)).contents().forEach(o -> s3.deleteObject(b -> b.bucket(bucket).key(o.key())));
        s3.deleteBucket(b -> b.bucket(bucket));

        assertThat(status).isEqualTo(StackStatus.DELETE_COMPLETE);
        assertThat(dynamoDb.listTables().tableNames()).noneMatch(name -> name.startsWith(stackName));
        assertThat(lambda.listFunctions().functions()).noneMatch(f -> f.functionName().startsWith(stackName));
        assertThat(cf.listStacks().stackSummaries()).filteredOn(s -> s.stackName().equals(stackName))
                .allMatch(s -> s.stackStatus() == StackStatus.DELETE_COMPLETE);
    }

    @Test
    void every_resource_of_the_transformed_template_is_created_except_the_aliases_moto_lacks() {
        Set<String> expected = new HashSet<>();
        resources.fieldNames().forEachRemaining(expected::add);
        removedAliases.forEach(expected::remove);
        removedSecrets.forEach(expected::remove);
        removedAlarms.forEach(expected::remove);
        // moto lists the ApiGatewayV2 Api and Stage it does not model as created, without their logical ids
        List<String> notModelled = List.of("HttpApi", "HttpApiApiGatewayDefaultStage");
        assertThat(notModelled).allSatisfy(id -> assertThat(type(id)).startsWith("AWS::ApiGatewayV2::"));
        notModelled.forEach(expected::remove);

        assertThat(removedAliases).hasSize(6);
        assertThat(removedSecrets).containsExactly("CursorSigningSecret");
        assertThat(removedAlarms).hasSize(18).allMatch(id -> type(id).equals("AWS::CloudWatch::Alarm"));
        assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(unnamed).isEqualTo(notModelled.size());
        assertThat(created.values()).allMatch(r -> r.resourceStatusAsString().equals("CREATE_COMPLETE"));
    }

    @Test
    void the_tables_have_their_keys_indexes_on_demand_billing_and_the_events_stream() {
        for (String id : ids("AWS::DynamoDB::Table")) {
            JsonNode declared = props(id);
            TableDescription table = dynamoDb.describeTable(b -> b.tableName(physical(id))).table();

            List<String> keys = table.keySchema().stream().map(k -> k.attributeName() + " " + k.keyTypeAsString()).toList();
            List<String> declaredKeys = new ArrayList<>();
            declared.path("KeySchema").forEach(k -> declaredKeys.add(k.path("AttributeName").asText() + " "
                    + k.path("KeyType").asText()));
            assertThat(keys).as(id).isEqualTo(declaredKeys);
            assertThat(table.billingModeSummary().billingModeAsString()).as(id).isEqualTo("PAY_PER_REQUEST");
            String view = declared.path("StreamSpecification").path("StreamViewType").asText(null);
            assertThat(table.streamSpecification() == null ? null : table.streamSpecification().streamViewTypeAsString())
                    .as(id).isEqualTo(view);
            List<String> indexes = table.globalSecondaryIndexes().stream().map(i -> i.indexName() + " "
                    + i.keySchema().stream().map(k -> k.attributeName() + " " + k.keyTypeAsString()).toList() + " "
                    + i.projection().projectionTypeAsString()).toList();
            List<String> declaredIndexes = new ArrayList<>();
            declared.path("GlobalSecondaryIndexes").forEach(i -> {
                List<String> indexKeys = new ArrayList<>();
                i.path("KeySchema").forEach(k -> indexKeys.add(k.path("AttributeName").asText() + " "
                        + k.path("KeyType").asText()));
                declaredIndexes.add(i.path("IndexName").asText() + " " + indexKeys + " "
                        + i.path("Projection").path("ProjectionType").asText());
            });
            assertThat(indexes).as(id).containsExactlyInAnyOrderElementsOf(declaredIndexes);
        }
        assertThat(ids("AWS::DynamoDB::Table")).hasSize(6);
        assertThat(table("ReadModelsTable").globalSecondaryIndexes()).hasSize(2);
    }

    @Test
    void the_queues_have_their_names_within_80_characters_fifo_visibility_retention_encryption_and_redrive() {
        for (String id : ids("AWS::SQS::Queue")) {
            JsonNode declared = props(id);
            Map<String, String> attrs = queueAttributes(id);
            String name = attrs.get("QueueArn").substring(attrs.get("QueueArn").lastIndexOf(':') + 1);

            assertThat(name.length()).as(id).isLessThanOrEqualTo(80);
            boolean fifo = declared.path("FifoQueue").asBoolean();
            assertThat(name.endsWith(".fifo")).as(id).isEqualTo(fifo);
            assertThat(Boolean.parseBoolean(attrs.getOrDefault("FifoQueue", "false"))).as(id).isEqualTo(fifo);
            assertThat(attrs.get("VisibilityTimeout")).as(id).isEqualTo(declared.path("VisibilityTimeout").asText("30"));
            assertThat(attrs.get("MessageRetentionPeriod")).as(id)
                    .isEqualTo(declared.path("MessageRetentionPeriod").asText("345600"));
            assertThat(attrs.get("SqsManagedSseEnabled")).as(id).isEqualTo("true");
            JsonNode redrive = declared.path("RedrivePolicy");
            if (!redrive.isMissingNode()) {
                String dlq = redrive.path("deadLetterTargetArn").path("Fn::GetAtt").get(0).asText();
                JsonNode actual = json(attrs.get("RedrivePolicy"));
                assertThat(actual.path("deadLetterTargetArn").asText()).as(id).isEqualTo(queueAttributes(dlq).get("QueueArn"));
                assertThat(actual.path("maxReceiveCount").asInt()).as(id).isEqualTo(redrive.path("maxReceiveCount").asInt());
            }
        }
        assertThat(ids("AWS::SQS::Queue")).hasSize(7);
    }

    @Test
    void with_the_longest_stack_name_every_queue_name_stays_within_80_characters() {
        // CloudFormation allows stack names of 128 characters; SQS allows queue names of 80 (".fifo" included).
        // The template's queues alone, as a stack of that name: their names come from the stack id, not its name.
        String longName = "q" + UUID.randomUUID().toString().replace("-", "") + "-" + "x".repeat(94);
        assertThat(longName).hasSize(128);
        ObjectNode queuesOnly = SamTranslator.JSON.createObjectNode();
        ObjectNode queueResources = queuesOnly.putObject("Resources");
        ids("AWS::SQS::Queue").forEach(id -> queueResources.set(id, resources.get(id).deepCopy()));
        List<String> urls = new ArrayList<>();
        try {
            List<StackResourceSummary> queues = MotoStack.create(cf, longName, queuesOnly);

            assertThat(queues).hasSize(7);
            for (StackResourceSummary queue : queues) {
                String url = queue.physicalResourceId();
                urls.add(url);
                String name = url.substring(url.lastIndexOf('/') + 1);
                assertThat(name.length()).as(queue.logicalResourceId()).isLessThanOrEqualTo(80);
                assertThat(name.endsWith(".fifo")).as(queue.logicalResourceId())
                        .isEqualTo(props(queue.logicalResourceId()).path("FifoQueue").asBoolean());
                assertThat(sqs.getQueueUrl(b -> b.queueName(name)).queueUrl()).endsWith(name);
            }
        } finally {
            assertThat(MotoStack.delete(cf, longName)).isEqualTo(StackStatus.DELETE_COMPLETE);
        }
        List<String> left = sqs.listQueues(b -> b.queueNamePrefix("nosqles-")).queueUrls();
        assertThat(urls).hasSize(7).allSatisfy(url -> assertThat(left)
                .noneMatch(l -> l.endsWith(url.substring(url.lastIndexOf('/')))));
    }

    @Test
    void the_events_topic_is_fifo_and_encrypted_with_its_rotated_key_which_lets_the_publisher_role_use_it() {
        String topicArn = physical("EventsTopic");
        Map<String, String> attrs = sns.getTopicAttributes(b -> b.topicArn(topicArn)).attributes();
        String keyId = physical("EventsTopicKey");

        assertThat(attrs).containsEntry("FifoTopic", "true").containsEntry("ContentBasedDeduplication", "false")
                .containsEntry("KmsMasterKeyId", keyId);
        // not DescribeKey: moto 5.2 fails it (HTTP 500) on a key whose policy came from CloudFormation
        assertThat(kms.listKeysPaginator().keys().stream().map(k -> k.keyId())).contains(keyId);
        assertThat(kms.getKeyRotationStatus(b -> b.keyId(keyId)).keyRotationEnabled()).isTrue();
        JsonNode policy = keyPolicy(keyId);
        JsonNode publisher = null;
        for (JsonNode s : policy.path("Statement")) {
            if (s.path("Sid").asText().equals("PublisherEncryptsForTheEventsTopic")) {
                publisher = s;
            }
        }
        assertThat(publisher).isNotNull();
        assertThat(publisher.path("Principal").path("AWS").asText()).isEqualTo(role("OrderSagaStreamFunction").arn());
        assertThat(publisher.path("Condition").path("StringEquals").path("kms:EncryptionContext:aws:sns:topicArn")
                .asText()).isEqualTo(topicArn);
    }

    @Test
    void each_role_is_assumed_by_lambda_attaches_no_managed_policy_and_allows_only_resources_of_this_stack() {
        Set<String> stackArns = stackArns();
        for (String function : ids("AWS::Lambda::Function")) {
            Role role = role(function);
            JsonNode trust = json(URLDecoder.decode(role.assumeRolePolicyDocument(), StandardCharsets.UTF_8));
            assertThat(trust.path("Statement").get(0).path("Principal").path("Service").asText()).as(function)
                    .isEqualTo("lambda.amazonaws.com");
            assertThat(iam.listAttachedRolePolicies(b -> b.roleName(role.roleName())).attachedPolicies()).as(function)
                    .isEmpty();
            List<String> policies = iam.listRolePolicies(b -> b.roleName(role.roleName())).policyNames();
            assertThat(policies).as(function).hasSize(1);
            JsonNode document = json(URLDecoder.decode(iam.getRolePolicy(b -> b.roleName(role.roleName())
                    .policyName(policies.getFirst())).policyDocument(), StandardCharsets.UTF_8));
            for (JsonNode statement : document.path("Statement")) {
                List<String> named = new ArrayList<>();
                JsonNode resource = statement.path("Resource");
                if (resource.isArray()) {
                    resource.forEach(r -> named.add(r.asText()));
                } else {
                    named.add(resource.asText());
                }
                assertThat(named).as(function + " " + statement.path("Sid").asText()).isNotEmpty()
                        .allSatisfy(arn -> assertThat(stackArns).contains(arn));
            }
        }
    }

    @Test
    void each_function_has_its_handler_runtime_memory_timeout_own_role_and_its_environment_resolved() {
        for (String id : ids("AWS::Lambda::Function")) {
            JsonNode declared = props(id);
            FunctionConfiguration f = lambda.getFunction(b -> b.functionName(physical(id))).configuration();

            assertThat(f.handler()).as(id).isEqualTo(declared.path("Handler").asText());
            assertThat(f.runtimeAsString()).as(id).isEqualTo("java21");
            assertThat(f.memorySize()).as(id).isEqualTo(1024);
            assertThat(f.timeout()).as(id).isEqualTo(15);
            assertThat(f.role()).as(id).isEqualTo(role(id).arn());
            Map<String, String> expected = new LinkedHashMap<>();
            declared.path("Environment").path("Variables").fields().forEachRemaining(v -> expected.put(v.getKey(),
                    v.getValue().isTextual() ? v.getValue().asText()
                            : MotoStack.dynamicReference(v.getValue()) != null
                            ? MotoStack.placeholderOf(MotoStack.dynamicReference(v.getValue()))
                            : "AWS::StackName".equals(v.getValue().path("Ref").asText()) ? stackName
                            : physical(v.getValue().path("Ref").asText())));
            assertThat(f.environment().variables()).as(id).isEqualTo(expected);
        }
        assertThat(lambda.getFunctionConcurrency(b -> b.functionName(physical("ApiFunction")))
                .reservedConcurrentExecutions()).isEqualTo(50);
    }

    @Test
    void each_event_source_mapping_reads_its_stream_or_queue_with_the_declared_settings() {
        int mappings = 0;
        for (String id : ids("AWS::Lambda::EventSourceMapping")) {
            JsonNode declared = props(id);
            // the alias is removed on moto: the mapping invokes the function (on AWS, its alias `live`)
            String function = declared.path("FunctionName").path("Ref").asText().replace("Aliaslive", "");
            String functionArn = lambda.getFunction(b -> b.functionName(physical(function))).configuration().functionArn();
            List<EventSourceMappingConfiguration> found = lambda.listEventSourceMappings().eventSourceMappings().stream()
                    .filter(m -> functionArn.equals(m.functionArn())).toList();
            assertThat(found).as(id).hasSize(1);
            EventSourceMappingConfiguration m = found.getFirst();
            mappings++;

            String source = declared.path("EventSourceArn").path("Fn::GetAtt").get(0).asText();
            assertThat(m.batchSize()).as(id).isEqualTo(declared.path("BatchSize").asInt());
            assertThat(m.functionResponseTypesAsStrings()).as(id).containsExactly("ReportBatchItemFailures");
            if (type(source).equals("AWS::SQS::Queue")) {
                assertThat(m.eventSourceArn()).as(id).isEqualTo(queueAttributes(source).get("QueueArn"));
                assertThat(m.scalingConfig().maximumConcurrency()).as(id)
                        .isEqualTo(declared.path("ScalingConfig").path("MaximumConcurrency").asInt());
                if (props(source).path("FifoQueue").asBoolean()) {
                    assertThat(m.maximumBatchingWindowInSeconds()).as(id).isNull();
                }
            } else {
                assertThat(m.eventSourceArn()).as(id).isEqualTo(table(source).latestStreamArn());
                assertThat(m.startingPositionAsString()).as(id).isEqualTo("TRIM_HORIZON");
                assertThat(m.bisectBatchOnFunctionError()).as(id).isTrue();
                assertThat(m.maximumRetryAttempts()).as(id).isEqualTo(10);
                assertThat(m.destinationConfig().onFailure().destination()).as(id)
                        .isEqualTo(queueAttributes("StreamFailuresQueue").get("QueueArn"));
            }
        }
        assertThat(mappings).isEqualTo(4);
    }

    @Test
    void every_function_and_the_api_log_to_their_own_log_group_with_the_declared_retention() {
        for (String id : ids("AWS::Logs::LogGroup")) {
            LogGroup group = logGroup(id);
            assertThat(group.retentionInDays()).as(id).isEqualTo(30);
        }
        assertThat(ids("AWS::Logs::LogGroup")).hasSize(7);
    }

    @Test
    void the_dashboard_is_created_and_named_after_the_stack() {
        // moto creates it from the template; its body cannot be read back here: the AWS SDK's CloudWatch client
        // speaks the RPCv2 CBOR protocol, which moto 5.2 does not serve. The body is checked in AlarmsAndDashboardTest.
        assertThat(type("OperationsDashboard")).isEqualTo("AWS::CloudWatch::Dashboard");
        assertThat(physical("OperationsDashboard")).isEqualTo(stackName + "-operations");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Every ARN this stack owns, as a role may name it. */
    private Set<String> stackArns() {
        Set<String> arns = new HashSet<>();
        for (String id : ids("AWS::DynamoDB::Table")) {
            TableDescription table = table(id);
            arns.add(table.tableArn());
            // a role names each index it queries (no wildcard)
            table.globalSecondaryIndexes().forEach(index -> arns.add(table.tableArn() + "/index/" + index.indexName()));
            if (table.latestStreamArn() != null) {
                arns.add(table.latestStreamArn());
                arns.add(table.tableArn() + "/stream/*");
            }
        }
        ids("AWS::SQS::Queue").forEach(id -> arns.add(queueAttributes(id).get("QueueArn")));
        arns.add(physical("EventsTopic"));
        // the keys a role may use by IAM (the personal data key: its policy leaves that to IAM)
        Set<String> keyIds = new HashSet<>();
        ids("AWS::KMS::Key").forEach(id -> keyIds.add(physical(id)));
        kms.listKeysPaginator().keys().stream().filter(k -> keyIds.contains(k.keyId()))
                .forEach(k -> arns.add(k.keyArn()));
        for (String id : ids("AWS::Logs::LogGroup")) {
            String arn = logGroup(id).arn();
            arns.add(arn);
            arns.add(arn.endsWith(":*") ? arn.substring(0, arn.length() - 2) : arn + ":*");
        }
        return arns;
    }

    /**
     * GetKeyPolicy without the SDK: moto keeps the policy CloudFormation gave it as an object and answers it as one
     * where the API has a string, which the SDK refuses; this reads either.
     */
    private JsonNode keyPolicy(String keyId) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(aws.endpoint())
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "TrentService.GetKeyPolicy")
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/" + aws.region().id()
                            + "/kms/aws4_request, SignedHeaders=host, Signature=0")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"KeyId\":\"" + keyId + "\",\"PolicyName\":\"default\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode policy = json(response.body()).path("Policy");
            return policy.isTextual() ? json(policy.asText()) : policy;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private TableDescription table(String id) {
        return dynamoDb.describeTable(b -> b.tableName(physical(id))).table();
    }

    private Map<String, String> queueAttributes(String id) {
        return sqs.getQueueAttributes(b -> b.queueUrl(physical(id)).attributeNames(QueueAttributeName.ALL))
                .attributesAsStrings();
    }

    private Role role(String function) {
        return iam.getRole(b -> b.roleName(physical(function + "Role"))).role();
    }

    private LogGroup logGroup(String id) {
        String name = physical(id);
        return logs.describeLogGroups(b -> b.logGroupNamePrefix(name)).logGroups().stream()
                .filter(g -> g.logGroupName().equals(name)).findFirst().orElseThrow();
    }

    private String physical(String logicalId) {
        StackResourceSummary r = created.get(logicalId);
        assertThat(r).as("stack resource " + logicalId).isNotNull();
        return r.physicalResourceId();
    }

    private List<String> ids(String type) {
        List<String> ids = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    private String type(String id) {
        return resources.path(id).path("Type").asText();
    }

    private JsonNode props(String id) {
        return resources.path(id).path("Properties");
    }

    private static JsonNode json(String text) {
        try {
            // moto 5.2 returns the inline policies that CloudFormation created as a Python dict's repr; ARNs, actions
            // and Sids contain no quotes, so swapping the quotes gives the JSON
            return SamTranslator.JSON.readTree(text.startsWith("{'") ? text.replace('\'', '"') : text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>
            & software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>, C> C client(B builder) {
        return aws.configure(builder).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private static byte[] zip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("README.txt"));
            zip.write("the rehearsal deploys no code: moto stores the package and never runs it".getBytes(
                    StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }
}
