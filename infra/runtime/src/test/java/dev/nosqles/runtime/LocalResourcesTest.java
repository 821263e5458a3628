package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.Template;
import dev.nosqles.runtime.template.TemplateException;
import dev.nosqles.runtime.template.TemplateReader;
import dev.nosqles.runtime.template.Value;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalResourcesTest {
    private final LocalAws aws = LocalAws.shared();
    private final String stack = "res-" + UUID.randomUUID().toString().substring(0, 8);
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private SnsClient sns;
    private KmsClient kms;
    private Template template;
    private LocalResources resources;

    static Path fixture(String name) {
        try {
            return Path.of(LocalResourcesTest.class.getResource("/templates/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    void create() {
        dynamoDb = aws.dynamoDb();
        sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        sns = aws.configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        kms = aws.configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        template = TemplateReader.read(fixture("event-driven.yaml"));
        resources = LocalResources.create(template, stack, aws.region().id(), dynamoDb, sqs, sns, kms);
    }

    @AfterAll
    void close() {
        dynamoDb.close();
        sqs.close();
        sns.close();
        kms.close();
    }

    @Test
    void creates_each_table_with_its_keys_and_its_stream_named_after_the_stack() {
        TableDescription events = dynamoDb.describeTable(b -> b.tableName(stack + "-EventsTable")).table();
        assertThat(events.keySchema()).containsExactly(
                KeySchemaElement.builder().attributeName("streamId").keyType(KeyType.HASH).build(),
                KeySchemaElement.builder().attributeName("version").keyType(KeyType.RANGE).build());
        assertThat(events.streamSpecification().streamViewTypeAsString()).isEqualTo("NEW_IMAGE");
        assertThat(resources.attribute("EventsTable", "StreamArn")).isEqualTo(events.latestStreamArn());
        assertThat(resources.tableName("EventsTable")).isEqualTo(stack + "-EventsTable");

        TableDescription snapshots = dynamoDb.describeTable(b -> b.tableName(stack + "-SnapshotsTable")).table();
        assertThat(snapshots.keySchema()).extracting(KeySchemaElement::attributeName).containsExactly("streamId");
        assertThat(snapshots.streamSpecification()).isNull();
    }

    @Test
    void creates_fifo_queues_with_their_visibility_and_the_redrive_to_the_dead_letter_queue() {
        String url = resources.queueUrl("NotificationsQueue");
        assertThat(url).endsWith(stack + "-NotificationsQueue.fifo");
        Map<QueueAttributeName, String> attrs = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertThat(attrs).containsEntry(QueueAttributeName.FIFO_QUEUE, "true")
                .containsEntry(QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "true")
                .containsEntry(QueueAttributeName.VISIBILITY_TIMEOUT, "120");
        JsonNode redrive = json(attrs.get(QueueAttributeName.REDRIVE_POLICY));
        assertThat(redrive.get("deadLetterTargetArn").asText()).isEqualTo(resources.attribute("NotificationsDlq", "Arn"));
        assertThat(redrive.get("maxReceiveCount").asInt()).isEqualTo(3);
        assertThat(resources.attribute("NotificationsDlq", "Arn")).endsWith(":" + stack + "-NotificationsDlq.fifo");
    }

    @Test
    void creates_the_fifo_topic_and_subscribes_the_queue_to_it() {
        String topicArn = resources.topicArn("OrderEventsTopic");
        assertThat(topicArn).endsWith(":" + stack + "-OrderEventsTopic.fifo");
        assertThat(sns.getTopicAttributes(b -> b.topicArn(topicArn)).attributes())
                .containsEntry("FifoTopic", "true").containsEntry("ContentBasedDeduplication", "true");
        assertThat(sns.listSubscriptionsByTopic(b -> b.topicArn(topicArn)).subscriptions())
                .singleElement().satisfies(s -> {
                    assertThat(s.protocol()).isEqualTo("sqs");
                    assertThat(s.endpoint()).isEqualTo(resources.attribute("NotificationsQueue", "Arn"));
                });
        assertThat(sns.getSubscriptionAttributes(b -> b.subscriptionArn(resources.ref("NotificationsSubscription")))
                .attributes()).containsEntry("RawMessageDelivery", "true");
    }

    @Test
    void resolves_a_functions_environment_to_the_local_names_urls_and_arns() {
        FunctionDefinition projection = template.function("ProjectionFunction").orElseThrow();
        FunctionDefinition withoutInert = new FunctionDefinition(projection.logicalId(), projection.handler(),
                projection.runtime(), projection.memorySize(), projection.timeoutSeconds(),
                without(projection.environment(), "CHOSEN", "JOINED"), projection.httpApiEvents(),
                projection.streamEvents(), projection.queueEvents());
        Map<String, String> env = resources.environment(withoutInert);
        String region = aws.region().id();
        assertThat(env).containsEntry("TOPIC_ARN", resources.topicArn("OrderEventsTopic"))
                .containsEntry("STREAM_ARN", resources.attribute("EventsTable", "StreamArn"))
                .containsEntry("DESCRIPTION", stack + " in " + region + " reads " + stack + "-EventsTable and "
                        + resources.attribute("EventsTable", "StreamArn"))
                .containsEntry("QUEUE_NAME", "queue " + stack + "-StreamFailureQueue")
                .containsEntry("STAGE", "function")
                .containsEntry("AWS_REGION", region)
                .containsEntry("AWS_LAMBDA_FUNCTION_NAME", stack + "-ProjectionFunction")
                .containsEntry("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256");
    }

    @Test
    void refuses_to_evaluate_an_inert_intrinsic_naming_the_variable() {
        FunctionDefinition projection = template.function("ProjectionFunction").orElseThrow();
        assertThatThrownBy(() -> resources.environment(projection))
                .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                        .isEqualTo("Resources.ProjectionFunction.Properties.Environment.Variables.CHOSEN"))
                .hasMessageContaining("Fn::If");
    }

    @Test
    void refuses_a_reference_to_a_resource_it_did_not_create() {
        assertThatThrownBy(() -> resources.resolve(new Value.GetAtt("Nowhere", "Arn"), "here"))
                .isInstanceOf(TemplateException.class).hasMessageContaining("Nowhere");
        assertThatThrownBy(() -> resources.attribute("EventsTable", "Nonsense"))
                .isInstanceOf(TemplateException.class).hasMessageContaining("StreamArn");
    }

    @Test
    void creating_again_on_the_same_aws_reuses_what_exists() {
        LocalResources again = LocalResources.create(template, stack, aws.region().id(), dynamoDb, sqs, sns, kms);
        assertThat(again.attribute("EventsTable", "StreamArn")).isEqualTo(resources.attribute("EventsTable", "StreamArn"));
        assertThat(again.queueUrl("NotificationsQueue")).isEqualTo(resources.queueUrl("NotificationsQueue"));
    }

    @Test
    void creates_the_global_secondary_indexes_a_table_declares_and_queries_them() {
        Template indexed = TemplateReader.parse("""
                Resources:
                  Rows:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      BillingMode: PAY_PER_REQUEST
                      AttributeDefinitions:
                        - {AttributeName: pk, AttributeType: S}
                        - {AttributeName: gsi1pk, AttributeType: S}
                        - {AttributeName: gsi1sk, AttributeType: S}
                      KeySchema: [{AttributeName: pk, KeyType: HASH}]
                      GlobalSecondaryIndexes:
                        - IndexName: gsi1
                          KeySchema: [{AttributeName: gsi1pk, KeyType: HASH}, {AttributeName: gsi1sk, KeyType: RANGE}]
                          Projection: {ProjectionType: ALL}
                """, "indexed.yaml");
        LocalResources created = LocalResources.create(indexed, stack, aws.region().id(), dynamoDb, sqs, sns);
        String table = created.tableName("Rows");

        TableDescription description = dynamoDb.describeTable(b -> b.tableName(table)).table();
        assertThat(description.globalSecondaryIndexes()).singleElement().satisfies(gsi -> {
            assertThat(gsi.indexName()).isEqualTo("gsi1");
            assertThat(gsi.keySchema()).extracting(KeySchemaElement::attributeName).containsExactly("gsi1pk", "gsi1sk");
            assertThat(gsi.projection().projectionTypeAsString()).isEqualTo("ALL");
        });
        dynamoDb.putItem(b -> b.tableName(table).item(Map.of(
                "pk", attr("row-1"), "gsi1pk", attr("p"), "gsi1sk", attr("2"), "data", attr("x"))));
        var items = dynamoDb.query(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", attr("p")))).items();
        assertThat(items).singleElement().satisfies(item -> assertThat(item.get("data").s()).isEqualTo("x"));
    }

    @Test
    void generates_a_secret_at_random_and_resolves_a_dynamic_reference_to_it_in_an_environment() {
        Template withSecret = TemplateReader.parse("""
                Parameters:
                  KeyVersion:
                    Type: String
                    Default: AWSCURRENT
                Resources:
                  Key:
                    Type: AWS::SecretsManager::Secret
                    Properties:
                      GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handleRequest
                      Environment:
                        Variables:
                          KEY: !Sub "{{resolve:secretsmanager:${Key}}}"
                          KEY_ARN: !Ref Key
                          BY_NAME: !Sub "{{resolve:secretsmanager:${AWS::StackName}-Key:SecretString}}"
                          BY_STAGE: !Sub "{{resolve:secretsmanager:${Key}:SecretString::${KeyVersion}}}"
                          BY_ID: !Sub "{{resolve:secretsmanager:${Key}:SecretString:::0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b}}"
                          UNKNOWN: "{{resolve:secretsmanager:elsewhere}}"
                """, "secret.yaml");
        LocalResources first = LocalResources.create(withSecret, stack + "-a", aws.region().id(), dynamoDb, sqs, sns);
        LocalResources second = LocalResources.create(withSecret, stack + "-b", aws.region().id(), dynamoDb, sqs, sns);
        FunctionDefinition f = withSecret.function("F").orElseThrow();
        FunctionDefinition resolvable = new FunctionDefinition(f.logicalId(), f.handler(), f.runtime(), f.memorySize(),
                f.timeoutSeconds(), without(f.environment(), "UNKNOWN"), f.httpApiEvents(), f.streamEvents(),
                f.queueEvents());

        Map<String, String> env = first.environment(resolvable);
        assertThat(env.get("KEY")).matches("[A-Za-z0-9]{64}");
        assertThat(env.get("KEY_ARN")).startsWith("arn:aws:secretsmanager:" + aws.region().id() + ":")
                .contains(":secret:" + stack + "-a-Key-");
        assertThat(env.get("BY_NAME")).isEqualTo(env.get("KEY"));
        // a pinned version (the stage the parameter names, or a version id) is the one local version
        assertThat(env.get("BY_STAGE")).isEqualTo(env.get("KEY"));
        assertThat(env.get("BY_ID")).isEqualTo(env.get("KEY"));
        assertThat(second.environment(resolvable).get("KEY")).matches("[A-Za-z0-9]{64}").isNotEqualTo(env.get("KEY"));
        assertThatThrownBy(() -> first.environment(f))
                .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.location())
                        .isEqualTo("Resources.F.Properties.Environment.Variables.UNKNOWN"))
                .hasMessageContaining("not a generated secret");
    }

    @Test
    void the_reference_templates_cursor_key_pinned_to_the_cursor_key_version_parameter_resolves_locally() {
        Template reference = TemplateReader.read(LocalRuntime.findTemplate());
        Map<String, String> env;
        try (KmsClient kms = aws.configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            LocalResources created = LocalResources.create(reference, stack + "-ref", aws.region().id(), dynamoDb,
                    sqs, sns, kms);
            env = created.environment(reference.function("ApiFunction").orElseThrow());
        }

        assertThat(reference.parameters()).containsEntry("CursorKeyVersion", "AWSCURRENT");
        assertThat(env.get("CURSOR_SIGNING_KEY")).matches("[A-Za-z0-9]{64}");
    }

    @Test
    void every_function_of_the_reference_template_gets_the_logging_and_metrics_variables_with_the_stack_name() {
        Template reference = TemplateReader.read(LocalRuntime.findTemplate());
        try (KmsClient kms = aws.configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            LocalResources created = LocalResources.create(reference, stack + "-obs", aws.region().id(), dynamoDb,
                    sqs, sns, kms);
            assertThat(reference.functions()).isNotEmpty().allSatisfy(function -> assertThat(
                    created.environment(function))
                    .containsEntry("POWERTOOLS_SERVICE_NAME", stack + "-obs")
                    .containsEntry("POWERTOOLS_METRICS_NAMESPACE", "nosqles")
                    .containsEntry("POWERTOOLS_LOG_LEVEL", "INFO"));
        }
    }

    @Test
    void creates_a_kms_key_resolves_its_id_and_arn_in_an_environment_and_finds_it_again_on_the_next_start() {
        Template withKey = TemplateReader.parse("""
                Resources:
                  DataKey:
                    Type: AWS::KMS::Key
                    Properties:
                      EnableKeyRotation: true
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handleRequest
                      Environment:
                        Variables:
                          KEY_ID: !Ref DataKey
                          KEY_ARN: !GetAtt DataKey.Arn
                """, "key.yaml");
        assertThat(withKey.keys()).containsExactly("DataKey");
        try (KmsClient kms = aws.configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            LocalResources first = LocalResources.create(withKey, stack + "-k", aws.region().id(), dynamoDb, sqs, sns,
                    kms);
            Map<String, String> env = first.environment(withKey.function("F").orElseThrow());
            assertThat(env.get("KEY_ARN")).startsWith("arn:aws:kms:" + aws.region().id() + ":")
                    .endsWith(":key/" + env.get("KEY_ID"));
            // usable: a data key is generated under it and unwraps again
            var dataKey = kms.generateDataKey(b -> b.keyId(env.get("KEY_ID")).keySpec("AES_256"));
            assertThat(kms.decrypt(b -> b.ciphertextBlob(dataKey.ciphertextBlob())).plaintext())
                    .isEqualTo(dataKey.plaintext());

            LocalResources again = LocalResources.create(withKey, stack + "-k", aws.region().id(), dynamoDb, sqs, sns,
                    kms);
            assertThat(again.environment(withKey.function("F").orElseThrow())).isEqualTo(env);
            LocalResources otherStack = LocalResources.create(withKey, stack + "-l", aws.region().id(), dynamoDb, sqs,
                    sns, kms);
            assertThat(otherStack.ref("DataKey")).isNotEqualTo(env.get("KEY_ID"));
        }
        assertThatThrownBy(() -> LocalResources.create(withKey, stack + "-m", aws.region().id(), dynamoDb, sqs, sns))
                .isInstanceOf(TemplateException.class).hasMessageContaining("KMS client");
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue attr(String s) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(s);
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static Map<String, Value> without(Map<String, Value> env, String... names) {
        Map<String, Value> copy = new java.util.LinkedHashMap<>(env);
        for (String name : names) {
            copy.remove(name);
        }
        return copy;
    }
}
