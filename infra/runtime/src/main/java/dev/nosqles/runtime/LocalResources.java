package dev.nosqles.runtime;

import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.QueueDefinition;
import dev.nosqles.runtime.template.SecretDefinition;
import dev.nosqles.runtime.template.TableDefinition;
import dev.nosqles.runtime.template.Template;
import dev.nosqles.runtime.template.TemplateException;
import dev.nosqles.runtime.template.TopicDefinition;
import dev.nosqles.runtime.template.Value;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The template's tables (with their global secondary indexes), queues, topics and subscriptions, created on the
 * local AWS, and the physical names, URLs and ARNs that {@code !Ref} and {@code !GetAtt} resolve to there. A
 * generated secret ({@code AWS::SecretsManager::Secret} with {@code GenerateSecretString}) is not created in a
 * service: its value is drawn at random on each start, and a dynamic reference to it,
 * {@code {{resolve:secretsmanager:<its ARN>}}} (what {@code !Sub "{{resolve:secretsmanager:${Secret}}}"} gives),
 * resolves to that value, whatever version stage or id it names ({@code :SecretString::<stage>},
 * {@code :SecretString:::<id>}: locally a secret has one version). A parameter is its default. A KMS key
 * ({@code AWS::KMS::Key}) is created in the local KMS under the alias {@code alias/<stack name>-<LogicalId>}, and
 * found by it on the next start (the keys it wrapped stay usable across restarts); {@code !Ref} gives its id,
 * {@code !GetAtt Key.Arn} its ARN. Names are the template's own
 * (TableName, QueueName, TopicName) or, like CloudFormation's, {@code <stack name>-<LogicalId>} ({@code .fifo} added
 * for FIFO queues and topics).
 */
public final class LocalResources {
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");
    private static final Pattern SECRET_REFERENCE =
            Pattern.compile("\\{\\{resolve:secretsmanager:(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:[^:}]+|[^:}]+)"
                    + "(?::SecretString(?::(?::[^:}]*){0,2})?)?}}"); // no json key; any version stage or id
    private static final String LETTERS_AND_DIGITS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final String stackName;
    private final String region;
    private final String accountId;
    private final Map<String, Map<String, String>> attributes = new LinkedHashMap<>();
    private final Map<String, String> refs = new LinkedHashMap<>();
    /** A generated secret's value by its ARN and by its name. */
    private final Map<String, String> secrets = new HashMap<>();

    private LocalResources(String stackName, String region, String accountId) {
        this.stackName = stackName;
        this.region = region;
        this.accountId = accountId;
    }

    /**
     * As {@link #create(Template, String, String, DynamoDbClient, SqsClient, SnsClient, KmsClient)} for a template
     * without KMS keys.
     *
     * @throws TemplateException the template declares a KMS key
     */
    public static LocalResources create(Template template, String stackName, String region, DynamoDbClient dynamoDb,
                                        SqsClient sqs, SnsClient sns) {
        if (!template.keys().isEmpty()) {
            throw new TemplateException("Resources." + template.keys().getFirst(),
                    "is a KMS key: the local runtime needs a KMS client to create it");
        }
        return create(template, stackName, region, dynamoDb, sqs, sns, null);
    }

    /**
     * Creates everything the template declares (tables and their streams, KMS keys, queues with their redrive
     * policies, topics, subscriptions). Tables, keys or queues that already exist are reused.
     *
     * @param kms where the template's KMS keys are created (may be null for a template without any)
     */
    public static LocalResources create(Template template, String stackName, String region, DynamoDbClient dynamoDb,
                                        SqsClient sqs, SnsClient sns, KmsClient kms) {
        Objects.requireNonNull(template, "template");
        LocalResources resources = new LocalResources(stackName, region, "123456789012");
        resources.refs.putAll(template.parameters()); // a parameter is its default locally
        for (TableDefinition table : template.tables()) {
            resources.createTable(table, dynamoDb);
        }
        for (String key : template.keys()) {
            resources.createKey(key, Objects.requireNonNull(kms, "kms"));
        }
        SecureRandom random = new SecureRandom();
        for (SecretDefinition secret : template.secrets()) {
            resources.generateSecret(secret, random);
        }
        for (QueueDefinition queue : template.queues()) {
            resources.createQueue(queue, sqs);
        }
        for (QueueDefinition queue : template.queues()) {
            if (queue.redrive() != null) {
                String dlqArn = resources.attribute(queue.redrive().deadLetterQueue(), "Arn",
                        "Resources." + queue.logicalId() + ".Properties.RedrivePolicy");
                sqs.setQueueAttributes(b -> b.queueUrl(resources.refs.get(queue.logicalId())).attributes(Map.of(
                        QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                                + "\",\"maxReceiveCount\":" + queue.redrive().maxReceiveCount() + "}")));
            }
        }
        for (TopicDefinition topic : template.topics()) {
            resources.createTopic(topic, sns);
        }
        for (var subscription : template.subscriptions()) {
            String at = "Resources." + subscription.logicalId();
            Map<String, String> attributes = new HashMap<>();
            if (subscription.rawMessageDelivery()) {
                attributes.put("RawMessageDelivery", "true");
            }
            if (subscription.filterPolicyJson() != null) {
                attributes.put("FilterPolicy", subscription.filterPolicyJson());
            }
            String arn = sns.subscribe(b -> b.topicArn(resources.ref(subscription.topic(), at + ".TopicArn"))
                    .protocol(subscription.protocol())
                    .endpoint(resources.attribute(subscription.queue(), "Arn", at + ".Endpoint"))
                    .attributes(attributes).returnSubscriptionArn(true)).subscriptionArn();
            resources.refs.put(subscription.logicalId(), arn);
        }
        return resources;
    }

    private void createTable(TableDefinition table, DynamoDbClient dynamoDb) {
        String name = table.tableName() != null ? table.tableName() : stackName + "-" + table.logicalId();
        List<AttributeDefinition> definitions = new ArrayList<>();
        List<KeySchemaElement> keys = new ArrayList<>();
        definitions.add(AttributeDefinition.builder().attributeName(table.partitionKey().name())
                .attributeType(table.partitionKey().type()).build());
        keys.add(KeySchemaElement.builder().attributeName(table.partitionKey().name()).keyType(KeyType.HASH).build());
        table.sortKeyIfAny().ifPresent(sort -> {
            definitions.add(AttributeDefinition.builder().attributeName(sort.name()).attributeType(sort.type()).build());
            keys.add(KeySchemaElement.builder().attributeName(sort.name()).keyType(KeyType.RANGE).build());
        });
        boolean onDemand = table.billingMode().equals("PAY_PER_REQUEST");
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (TableDefinition.GlobalSecondaryIndex index : table.globalSecondaryIndexes()) {
            List<KeySchemaElement> indexKeys = new ArrayList<>();
            define(index.partitionKey(), definitions);
            indexKeys.add(KeySchemaElement.builder().attributeName(index.partitionKey().name()).keyType(KeyType.HASH)
                    .build());
            if (index.sortKey() != null) {
                define(index.sortKey(), definitions);
                indexKeys.add(KeySchemaElement.builder().attributeName(index.sortKey().name()).keyType(KeyType.RANGE)
                        .build());
            }
            Projection.Builder projection = Projection.builder().projectionType(ProjectionType.fromValue(
                    index.projectionType()));
            if (!index.nonKeyAttributes().isEmpty()) {
                projection.nonKeyAttributes(index.nonKeyAttributes());
            }
            GlobalSecondaryIndex.Builder gsi = GlobalSecondaryIndex.builder().indexName(index.indexName())
                    .keySchema(indexKeys).projection(projection.build());
            if (!onDemand) {
                gsi.provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(5L)
                        .writeCapacityUnits(5L).build());
            }
            indexes.add(gsi.build());
        }
        CreateTableRequest.Builder request = CreateTableRequest.builder().tableName(name)
                .attributeDefinitions(definitions).keySchema(keys);
        if (!indexes.isEmpty()) {
            request.globalSecondaryIndexes(indexes);
        }
        if (onDemand) {
            request.billingMode(BillingMode.PAY_PER_REQUEST);
        } else {
            request.provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(5L).writeCapacityUnits(5L)
                    .build());
        }
        if (table.hasStream()) {
            request.streamSpecification(StreamSpecification.builder().streamEnabled(true)
                    .streamViewType(table.streamViewType()).build());
        }
        TableDescription description;
        try {
            description = dynamoDb.createTable(request.build()).tableDescription();
            dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(name));
        } catch (ResourceInUseException alreadyThere) {
            description = dynamoDb.describeTable(b -> b.tableName(name)).table();
        }
        refs.put(table.logicalId(), name);
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("Arn", description.tableArn());
        if (description.latestStreamArn() != null) {
            attrs.put("StreamArn", description.latestStreamArn());
        }
        attributes.put(table.logicalId(), attrs);
    }

    /** An attribute definition once, however many keys use the attribute. */
    private static void define(TableDefinition.KeyAttribute key, List<AttributeDefinition> definitions) {
        if (definitions.stream().noneMatch(d -> d.attributeName().equals(key.name()))) {
            definitions.add(AttributeDefinition.builder().attributeName(key.name()).attributeType(key.type()).build());
        }
    }

    /** The key behind the alias {@code alias/<stack>-<LogicalId>}, created with it when there is none. */
    private void createKey(String logicalId, KmsClient kms) {
        String alias = "alias/" + stackName + "-" + logicalId;
        String keyId = null;
        for (AliasListEntry entry : kms.listAliasesPaginator().aliases()) {
            if (entry.aliasName().equals(alias) && entry.targetKeyId() != null) {
                keyId = entry.targetKeyId();
            }
        }
        KeyMetadata key;
        if (keyId == null) {
            key = kms.createKey(b -> b.description(stackName + " " + logicalId + " (local runtime)")).keyMetadata();
            String id = key.keyId();
            kms.createAlias(b -> b.aliasName(alias).targetKeyId(id));
        } else {
            String id = keyId;
            key = kms.describeKey(b -> b.keyId(id)).keyMetadata();
        }
        refs.put(logicalId, key.keyId());
        attributes.put(logicalId, Map.of("Arn", key.arn(), "KeyId", key.keyId()));
    }

    private void generateSecret(SecretDefinition secret, SecureRandom random) {
        String alphabet = secret.excludePunctuation() ? LETTERS_AND_DIGITS : LETTERS_AND_DIGITS + PUNCTUATION;
        StringBuilder value = new StringBuilder(secret.passwordLength());
        for (int i = 0; i < secret.passwordLength(); i++) {
            value.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        String name = stackName + "-" + secret.logicalId();
        // as Secrets Manager: the name and six random characters
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            suffix.append(LETTERS_AND_DIGITS.charAt(random.nextInt(LETTERS_AND_DIGITS.length())));
        }
        String arn = "arn:aws:secretsmanager:" + region + ":" + accountId + ":secret:" + name + "-" + suffix;
        refs.put(secret.logicalId(), arn);
        attributes.put(secret.logicalId(), Map.of("Id", arn));
        secrets.put(arn, value.toString());
        secrets.put(name, value.toString());
    }

    private void createQueue(QueueDefinition queue, SqsClient sqs) {
        String name = queue.queueName() != null ? queue.queueName()
                : stackName + "-" + queue.logicalId() + (queue.fifo() ? ".fifo" : "");
        Map<QueueAttributeName, String> attrs = new HashMap<>();
        attrs.put(QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(queue.visibilityTimeoutSeconds()));
        if (queue.fifo()) {
            attrs.put(QueueAttributeName.FIFO_QUEUE, "true");
            attrs.put(QueueAttributeName.CONTENT_BASED_DEDUPLICATION, String.valueOf(queue.contentBasedDeduplication()));
        }
        String url = sqs.createQueue(b -> b.queueName(name).attributes(attrs)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        refs.put(queue.logicalId(), url);
        attributes.put(queue.logicalId(), Map.of("Arn", arn, "QueueName", name, "QueueUrl", url));
    }

    private void createTopic(TopicDefinition topic, SnsClient sns) {
        String name = topic.topicName() != null ? topic.topicName()
                : stackName + "-" + topic.logicalId() + (topic.fifo() ? ".fifo" : "");
        Map<String, String> attrs = new HashMap<>();
        if (topic.fifo()) {
            attrs.put("FifoTopic", "true");
            attrs.put("ContentBasedDeduplication", String.valueOf(topic.contentBasedDeduplication()));
        }
        String arn = sns.createTopic(b -> b.name(name).attributes(attrs)).topicArn();
        refs.put(topic.logicalId(), arn);
        attributes.put(topic.logicalId(), Map.of("TopicArn", arn, "TopicName", name));
    }

    /** The stack name the generated names start with. */
    public String stackName() {
        return stackName;
    }

    /** What {@code !Ref LogicalId} gives: a table's name, a queue's URL, a topic's or subscription's ARN, a key's id. */
    public String ref(String logicalId) {
        return ref(logicalId, "Ref " + logicalId);
    }

    /** What {@code !GetAtt LogicalId.Attribute} gives (Arn, StreamArn, QueueName, QueueUrl, TopicName, ...). */
    public String attribute(String logicalId, String attribute) {
        return attribute(logicalId, attribute, "GetAtt " + logicalId + "." + attribute);
    }

    /** A table's physical name. */
    public String tableName(String logicalId) {
        return ref(logicalId);
    }

    /** A queue's URL. */
    public String queueUrl(String logicalId) {
        return ref(logicalId);
    }

    /** A topic's ARN. */
    public String topicArn(String logicalId) {
        return ref(logicalId);
    }

    /**
     * The environment a function gets: its template variables resolved, and what Lambda itself sets
     * (AWS_REGION, AWS_DEFAULT_REGION, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
     */
    public Map<String, String> environment(FunctionDefinition function) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_LAMBDA_FUNCTION_NAME", stackName + "-" + function.logicalId());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(function.memorySize()));
        function.environment().forEach((name, value) -> env.put(name,
                resolve(value, "Resources." + function.logicalId() + ".Properties.Environment.Variables." + name)));
        return Map.copyOf(env);
    }

    /**
     * A template value on the local AWS.
     *
     * @param at where the value is, for the error
     * @throws TemplateException an intrinsic the runtime does not evaluate, or a resource it does not know
     */
    public String resolve(Value value, String at) {
        return switch (value) {
            case Value.Literal literal -> resolveSecrets(literal.text(), at);
            case Value.Ref ref -> ref(ref.logicalId(), at);
            case Value.GetAtt get -> attribute(get.logicalId(), get.attribute(), at);
            case Value.Sub sub -> substitute(sub, at);
            case Value.Intrinsic other -> throw new TemplateException(at, other.function()
                    + " is not evaluated by the local runtime; use a literal, !Ref, !GetAtt or !Sub");
        };
    }

    private String substitute(Value.Sub sub, String at) {
        Matcher m = SUB_VARIABLE.matcher(sub.template());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).strip();
            String replacement;
            if (sub.variables().containsKey(name)) {
                replacement = resolve(sub.variables().get(name), at);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                replacement = attribute(name.substring(0, dot), name.substring(dot + 1), at);
            } else {
                replacement = ref(name, at);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return resolveSecrets(out.toString().replace("${!", "${"), at);
    }

    /** Dynamic references to the whole string of a generated secret, by ARN or name. */
    private String resolveSecrets(String text, String at) {
        if (!text.contains("{{resolve:")) {
            return text;
        }
        Matcher m = SECRET_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = secrets.get(m.group(1));
            if (value == null) {
                throw new TemplateException(at, "refers to a secret that is not a generated secret of the template");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (out.indexOf("{{resolve:") >= 0) {
            throw new TemplateException(at, "has a dynamic reference the local runtime does not resolve; use "
                    + "{{resolve:secretsmanager:${Secret}}} of an AWS::SecretsManager::Secret with GenerateSecretString");
        }
        return out.toString();
    }

    private String ref(String logicalId, String at) {
        return switch (logicalId) {
            case "AWS::Region" -> region;
            case "AWS::AccountId" -> accountId;
            case "AWS::StackName" -> stackName;
            case "AWS::Partition" -> "aws";
            case "AWS::URLSuffix" -> "amazonaws.com";
            default -> {
                String value = refs.get(logicalId);
                if (value == null) {
                    throw new TemplateException(at, "refers to " + logicalId
                            + ", which is not a table, key, queue, topic or subscription of the template");
                }
                yield value;
            }
        };
    }

    private String attribute(String logicalId, String attribute, String at) {
        Map<String, String> attrs = attributes.get(logicalId);
        if (attrs == null) {
            throw new TemplateException(at, "refers to " + logicalId
                    + ", which is not a table, queue or topic of the template");
        }
        String value = attrs.get(attribute);
        if (value == null) {
            throw new TemplateException(at, logicalId + " has no attribute " + attribute + " locally (known: "
                    + String.join(", ", attrs.keySet()) + ")");
        }
        return value;
    }
}
