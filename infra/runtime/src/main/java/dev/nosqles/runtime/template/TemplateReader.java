package dev.nosqles.runtime.template;

import dev.nosqles.runtime.template.FunctionDefinition.HttpApiEvent;
import dev.nosqles.runtime.template.FunctionDefinition.QueueEvent;
import dev.nosqles.runtime.template.FunctionDefinition.StreamEvent;
import dev.nosqles.runtime.template.TableDefinition.KeyAttribute;
import dev.nosqles.runtime.template.internal.CfnYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a SAM/CloudFormation template into a {@link Template}: the DynamoDB tables (with their global secondary
 * indexes), SQS queues, SNS topics and subscriptions, generated Secrets Manager secrets, and the functions with
 * their HttpApi, DynamoDB and SQS events, {@code Globals.Function} applied.
 * Resources of other types (the HTTP API itself, policies, alarms, ...) are skipped; intrinsic functions the
 * runtime cannot evaluate are kept as inert {@link Value.Intrinsic}s.
 */
public final class TemplateReader {
    private TemplateReader() {
    }

    public static Template read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TemplateException(file.toString(), "cannot be read", e);
        }
        return parse(text, file.getFileName().toString());
    }

    /** @param source names the template in error messages */
    public static Template parse(String yaml, String source) {
        Object root;
        try {
            root = CfnYaml.load(yaml);
        } catch (YAMLException e) {
            throw new TemplateException(source, "is not valid YAML", e);
        }
        Map<String, Object> template = map(root, source);
        Map<String, Object> globals = map(map(template.getOrDefault("Globals", Map.of()), "Globals")
                .getOrDefault("Function", Map.of()), "Globals.Function");
        Map<String, Object> resources = map(template.get("Resources"), "Resources");

        List<TableDefinition> tables = new ArrayList<>();
        List<QueueDefinition> queues = new ArrayList<>();
        List<TopicDefinition> topics = new ArrayList<>();
        List<SubscriptionDefinition> subscriptions = new ArrayList<>();
        List<FunctionDefinition> functions = new ArrayList<>();
        List<SecretDefinition> secrets = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        resources.forEach((id, body) -> {
            String at = "Resources." + id;
            Map<String, Object> resource = map(body, at);
            Map<String, Object> props = map(resource.getOrDefault("Properties", Map.of()), at + ".Properties");
            String type = String.valueOf(resource.get("Type"));
            switch (type) {
                case "AWS::DynamoDB::Table" -> tables.add(table(id, props, at + ".Properties"));
                case "AWS::SQS::Queue" -> queues.add(queue(id, props, at + ".Properties"));
                case "AWS::SNS::Topic" -> {
                    topics.add(new TopicDefinition(id, text(props.get("TopicName")), bool(props.get("FifoTopic")),
                            bool(props.get("ContentBasedDeduplication"))));
                    inlineSubscriptions(id, props, at + ".Properties.Subscription", subscriptions);
                }
                case "AWS::SNS::Subscription" -> subscriptions.add(subscription(id, props, at + ".Properties"));
                case "AWS::Serverless::Function" -> functions.add(function(id, globals, props, at + ".Properties"));
                case "AWS::SecretsManager::Secret" -> secrets.add(secret(id, props, at + ".Properties"));
                case "AWS::KMS::Key" -> keys.add(id);
                default -> {
                    // not emulated locally
                }
            }
        });
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        map(template.getOrDefault("Parameters", Map.of()), "Parameters").forEach((id, body) -> {
            Object value = map(body, "Parameters." + id).get("Default");
            if (value != null) {
                parameters.put(id, String.valueOf(value)); // what the stack gets when the deploy sets nothing
            }
        });
        return new Template(tables, queues, topics, subscriptions, functions, secrets, parameters, keys);
    }

    private static SecretDefinition secret(String id, Map<String, Object> props, String at) {
        if (!props.containsKey("GenerateSecretString")) {
            throw new TemplateException(at, "the local runtime knows only secrets with GenerateSecretString");
        }
        Map<String, Object> generate = map(props.get("GenerateSecretString"), at + ".GenerateSecretString");
        if (generate.containsKey("SecretStringTemplate") || generate.containsKey("GenerateStringKey")) {
            throw new TemplateException(at + ".GenerateSecretString",
                    "the local runtime generates plain strings only (no SecretStringTemplate)");
        }
        int length = integer(generate.get("PasswordLength"), 32, at + ".GenerateSecretString.PasswordLength");
        if (length < 1 || length > 4096) {
            throw new TemplateException(at + ".GenerateSecretString.PasswordLength", "must be 1 to 4096");
        }
        return new SecretDefinition(id, length, bool(generate.get("ExcludePunctuation")));
    }

    private static TableDefinition table(String id, Map<String, Object> props, String at) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Object def : list(props.get("AttributeDefinitions"), at + ".AttributeDefinitions")) {
            Map<String, Object> d = map(def, at + ".AttributeDefinitions");
            types.put(requiredText(d, "AttributeName", at), requiredText(d, "AttributeType", at));
        }
        KeySchema keys = keySchema(props.get("KeySchema"), types, at);
        List<TableDefinition.GlobalSecondaryIndex> indexes = new ArrayList<>();
        List<Object> declared = list(props.getOrDefault("GlobalSecondaryIndexes", List.of()),
                at + ".GlobalSecondaryIndexes");
        for (int i = 0; i < declared.size(); i++) {
            indexes.add(index(map(declared.get(i), at + ".GlobalSecondaryIndexes[" + i + "]"), types,
                    at + ".GlobalSecondaryIndexes[" + i + "]"));
        }
        Map<String, Object> stream = map(props.getOrDefault("StreamSpecification", Map.of()), at);
        Map<String, Object> pitr = map(props.getOrDefault("PointInTimeRecoverySpecification", Map.of()), at);
        Map<String, Object> sse = map(props.getOrDefault("SSESpecification", Map.of()), at);
        String billing = text(props.get("BillingMode"));
        return new TableDefinition(id, text(props.get("TableName")), keys.hash(), keys.range(),
                text(stream.get("StreamViewType")),
                billing == null ? "PROVISIONED" : billing, bool(pitr.get("PointInTimeRecoveryEnabled")),
                bool(sse.get("SSEEnabled")), indexes);
    }

    /** A table's or an index's key: its HASH attribute and its RANGE attribute (null: none). */
    private record KeySchema(KeyAttribute hash, KeyAttribute range) {
    }

    /** A KeySchema list: each key names a declared attribute, KeyType HASH or RANGE, one HASH key at least. */
    private static KeySchema keySchema(Object declared, Map<String, String> types, String at) {
        KeyAttribute hash = null;
        KeyAttribute range = null;
        for (Object element : list(declared, at + ".KeySchema")) {
            Map<String, Object> k = map(element, at + ".KeySchema");
            String name = requiredText(k, "AttributeName", at + ".KeySchema");
            String type = types.get(name);
            if (type == null) {
                throw new TemplateException(at + ".KeySchema", "key " + name + " has no AttributeDefinition");
            }
            switch (requiredText(k, "KeyType", at + ".KeySchema")) {
                case "HASH" -> hash = new KeyAttribute(name, type);
                case "RANGE" -> range = new KeyAttribute(name, type);
                default -> throw new TemplateException(at + ".KeySchema", "KeyType must be HASH or RANGE");
            }
        }
        if (hash == null) {
            throw new TemplateException(at + ".KeySchema", "no HASH key");
        }
        return new KeySchema(hash, range);
    }

    private static TableDefinition.GlobalSecondaryIndex index(Map<String, Object> index, Map<String, String> types,
                                                              String at) {
        String name = requiredText(index, "IndexName", at);
        KeySchema keys = keySchema(index.get("KeySchema"), types, at);
        Map<String, Object> projection = map(index.get("Projection"), at + ".Projection");
        String type = requiredText(projection, "ProjectionType", at + ".Projection");
        if (!List.of("ALL", "KEYS_ONLY", "INCLUDE").contains(type)) {
            throw new TemplateException(at + ".Projection.ProjectionType", "must be ALL, KEYS_ONLY or INCLUDE");
        }
        List<String> nonKey = new ArrayList<>();
        for (Object attribute : list(projection.getOrDefault("NonKeyAttributes", List.of()),
                at + ".Projection.NonKeyAttributes")) {
            nonKey.add(String.valueOf(attribute));
        }
        return new TableDefinition.GlobalSecondaryIndex(name, keys.hash(), keys.range(), type, nonKey);
    }

    private static QueueDefinition queue(String id, Map<String, Object> props, String at) {
        QueueDefinition.Redrive redrive = null;
        Object policy = props.get("RedrivePolicy");
        if (policy != null) {
            Map<String, Object> p = map(policy, at + ".RedrivePolicy");
            String dlq = logicalIdOf(value(p.get("deadLetterTargetArn")), "Arn", at + ".RedrivePolicy.deadLetterTargetArn");
            redrive = new QueueDefinition.Redrive(dlq, integer(p.get("maxReceiveCount"), 10, at + ".RedrivePolicy"));
        }
        return new QueueDefinition(id, text(props.get("QueueName")), bool(props.get("FifoQueue")),
                bool(props.get("ContentBasedDeduplication")), integer(props.get("VisibilityTimeout"), 30, at), redrive);
    }

    private static SubscriptionDefinition subscription(String id, Map<String, Object> props, String at) {
        Value topic = value(props.get("TopicArn"));
        if (!(topic instanceof Value.Ref ref)) {
            throw new TemplateException(at + ".TopicArn", "must be !Ref of a topic in this template");
        }
        return new SubscriptionDefinition(id, ref.logicalId(), requiredText(props, "Protocol", at),
                logicalIdOf(value(props.get("Endpoint")), "Arn", at + ".Endpoint"),
                bool(props.get("RawMessageDelivery")), json(props.get("FilterPolicy")));
    }

    private static void inlineSubscriptions(String topic, Map<String, Object> props, String at,
                                            List<SubscriptionDefinition> into) {
        List<Object> inline = list(props.getOrDefault("Subscription", List.of()), at);
        for (int i = 0; i < inline.size(); i++) {
            Map<String, Object> s = map(inline.get(i), at + "[" + i + "]");
            into.add(new SubscriptionDefinition(topic + "Subscription" + i, topic, requiredText(s, "Protocol", at),
                    logicalIdOf(value(s.get("Endpoint")), "Arn", at + "[" + i + "].Endpoint"), false, null));
        }
    }

    private static FunctionDefinition function(String id, Map<String, Object> globals, Map<String, Object> props,
                                               String at) {
        Map<String, Object> merged = new LinkedHashMap<>(globals);
        merged.putAll(props);
        String handler = text(merged.get("Handler"));
        if (handler == null) {
            throw new TemplateException(at + ".Handler", "is required");
        }
        Map<String, Value> environment = new LinkedHashMap<>();
        for (Map<String, Object> source : List.of(globals, props)) {
            Map<String, Object> env = map(source.getOrDefault("Environment", Map.of()), at + ".Environment");
            map(env.getOrDefault("Variables", Map.of()), at + ".Environment.Variables")
                    .forEach((name, v) -> environment.put(name, value(v)));
        }
        List<HttpApiEvent> http = new ArrayList<>();
        List<StreamEvent> streams = new ArrayList<>();
        List<QueueEvent> queues = new ArrayList<>();
        List<FunctionDefinition.ScheduleEvent> schedules = new ArrayList<>();
        map(props.getOrDefault("Events", Map.of()), at + ".Events").forEach((name, body) -> {
            String eventAt = at + ".Events." + name;
            Map<String, Object> event = map(body, eventAt);
            Map<String, Object> p = map(event.getOrDefault("Properties", Map.of()), eventAt + ".Properties");
            switch (String.valueOf(event.get("Type"))) {
                case "HttpApi" -> http.add(new HttpApiEvent(name, p.containsKey("Method")
                        ? requiredText(p, "Method", eventAt).toUpperCase(java.util.Locale.ROOT) : "ANY",
                        p.containsKey("Path") ? requiredText(p, "Path", eventAt) : "$default"));
                case "DynamoDB" -> streams.add(streamEvent(name, p, eventAt + ".Properties"));
                case "SQS" -> queues.add(new QueueEvent(name,
                        logicalIdOf(value(p.get("Queue")), "Arn", eventAt + ".Properties.Queue"),
                        integer(p.get("BatchSize"), 10, eventAt), integer(p.get("MaximumBatchingWindowInSeconds"), 0,
                        eventAt), reportsItemFailures(p, eventAt), filterPatterns(p, eventAt + ".Properties")));
                case "Schedule" -> schedules.add(scheduleEvent(name, p, eventAt + ".Properties"));
                default -> {
                    // other event types are not emulated locally
                }
            }
        });
        return new FunctionDefinition(id, handler, text(merged.get("Runtime")),
                integer(merged.get("MemorySize"), 128, at), integer(merged.get("Timeout"), 3, at), environment,
                http, streams, queues, schedules);
    }

    private static final java.util.regex.Pattern RATE =
            java.util.regex.Pattern.compile("rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)");

    /** {@code Schedule: rate(n unit)} or {@code cron(...)}; {@code Enabled} (true when absent). */
    static FunctionDefinition.ScheduleEvent scheduleEvent(String name, Map<String, Object> p, String at) {
        String expression = requiredText(p, "Schedule", at).strip();
        boolean enabled = !p.containsKey("Enabled") || bool(p.get("Enabled"));
        if (expression.startsWith("cron(")) {
            return new FunctionDefinition.ScheduleEvent(name, expression, null, enabled);
        }
        java.util.regex.Matcher m = RATE.matcher(expression);
        if (!m.matches()) {
            throw new TemplateException(at + ".Schedule", "is neither rate(<n> <unit>) nor cron(...)");
        }
        long n = Long.parseLong(m.group(1));
        boolean one = n == 1;
        if (n == 0 || one != !m.group(2).endsWith("s")) {
            throw new TemplateException(at + ".Schedule", "needs a positive value, singular unit for 1 only");
        }
        java.time.Duration rate = switch (m.group(2)) {
            case "minute", "minutes" -> java.time.Duration.ofMinutes(n);
            case "hour", "hours" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
        return new FunctionDefinition.ScheduleEvent(name, expression, rate, enabled);
    }

    private static StreamEvent streamEvent(String name, Map<String, Object> p, String at) {
        String table = logicalIdOf(value(p.get("Stream")), "StreamArn", at + ".Stream");
        String onFailure = null;
        Object destination = p.get("DestinationConfig");
        if (destination != null) {
            Map<String, Object> d = map(map(destination, at + ".DestinationConfig").get("OnFailure"),
                    at + ".DestinationConfig.OnFailure");
            onFailure = logicalIdOf(value(d.get("Destination")), "Arn", at + ".DestinationConfig.OnFailure.Destination");
        }
        String start = text(p.get("StartingPosition"));
        return new StreamEvent(name, table, start == null ? "TRIM_HORIZON" : start, integer(p.get("BatchSize"), 100, at),
                integer(p.get("MaximumBatchingWindowInSeconds"), 0, at), integer(p.get("MaximumRetryAttempts"), -1, at),
                bool(p.get("BisectBatchOnFunctionError")), reportsItemFailures(p, at), onFailure,
                filterPatterns(p, at));
    }

    /**
     * FilterCriteria.Filters[].Pattern (JSON strings), checked against the subset of Lambda's filter syntax the
     * local runtime applies: an operator it does not implement is refused here, naming the function's event.
     */
    private static List<String> filterPatterns(Map<String, Object> p, String at) {
        Object criteria = p.get("FilterCriteria");
        if (criteria == null) {
            return List.of();
        }
        String criteriaAt = at + ".FilterCriteria";
        List<Object> filters = list(map(criteria, criteriaAt).getOrDefault("Filters", List.of()),
                criteriaAt + ".Filters");
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < filters.size(); i++) {
            patterns.add(requiredText(map(filters.get(i), criteriaAt + ".Filters[" + i + "]"), "Pattern",
                    criteriaAt + ".Filters[" + i + "]"));
        }
        try {
            dev.nosqles.runtime.esm.EventFilter.of(patterns);
        } catch (dev.nosqles.runtime.esm.EventFilter.UnsupportedFilterException e) {
            throw new TemplateException(criteriaAt, e.getMessage()
                    + " (the local runtime applies prefix, exists, anything-but, numeric and exact values)");
        }
        return patterns;
    }

    private static boolean reportsItemFailures(Map<String, Object> p, String at) {
        return list(p.getOrDefault("FunctionResponseTypes", List.of()), at + ".FunctionResponseTypes")
                .contains("ReportBatchItemFailures");
    }

    /** The logical id behind {@code !GetAtt Id.<attribute>} (or {@code !Ref Id}). */
    private static String logicalIdOf(Value value, String attribute, String at) {
        return switch (value) {
            case Value.GetAtt g when g.attribute().equals(attribute) -> g.logicalId();
            case Value.Ref r -> r.logicalId();
            case null -> throw new TemplateException(at, "is required");
            default -> throw new TemplateException(at, "must be !GetAtt <LogicalId>." + attribute
                    + " of a resource in this template");
        };
    }

    /** A property value as a {@link Value}. */
    static Value value(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof Map<?, ?> m && m.size() == 1) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            String key = String.valueOf(e.getKey());
            Object arg = e.getValue();
            switch (key) {
                case "Ref" -> {
                    return new Value.Ref(String.valueOf(arg));
                }
                case "Fn::GetAtt" -> {
                    if (arg instanceof List<?> l && l.size() == 2) {
                        return new Value.GetAtt(String.valueOf(l.get(0)), String.valueOf(l.get(1)));
                    }
                    if (arg instanceof String s && s.indexOf('.') > 0) {
                        return new Value.GetAtt(s.substring(0, s.indexOf('.')), s.substring(s.indexOf('.') + 1));
                    }
                    return new Value.Intrinsic(key, arg);
                }
                case "Fn::Sub" -> {
                    if (arg instanceof String s) {
                        return new Value.Sub(s, Map.of());
                    }
                    if (arg instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String s
                            && l.get(1) instanceof Map<?, ?> vars) {
                        Map<String, Value> values = new LinkedHashMap<>();
                        vars.forEach((k, v) -> values.put(String.valueOf(k), value(v)));
                        return new Value.Sub(s, values);
                    }
                    return new Value.Intrinsic(key, arg);
                }
                default -> {
                    if (key.startsWith("Fn::") || key.equals("Condition")) {
                        return new Value.Intrinsic(key, arg);
                    }
                }
            }
        }
        if (raw instanceof Map<?, ?> || raw instanceof List<?>) {
            return new Value.Intrinsic("Literal", raw);
        }
        return new Value.Literal(String.valueOf(raw));
    }

    private static String json(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof String s) {
            return s;
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(raw);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TemplateException("FilterPolicy", "cannot be written as JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object raw, String at) {
        if (raw == null) {
            throw new TemplateException(at, "is required");
        }
        if (!(raw instanceof Map<?, ?>)) {
            throw new TemplateException(at, "must be a mapping");
        }
        return (Map<String, Object>) raw;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object raw, String at) {
        if (!(raw instanceof List<?>)) {
            throw new TemplateException(at, "must be a list");
        }
        return (List<Object>) raw;
    }

    private static String requiredText(Map<String, Object> m, String key, String at) {
        String value = text(m.get(key));
        if (value == null) {
            throw new TemplateException(at + "." + key, "is required");
        }
        return value;
    }

    private static String text(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof Map<?, ?> || raw instanceof List<?>) {
            return null;
        }
        return String.valueOf(raw);
    }

    private static boolean bool(Object raw) {
        return raw != null && Boolean.parseBoolean(String.valueOf(raw));
    }

    private static int integer(Object raw, int absent, String at) {
        if (raw == null) {
            return absent;
        }
        try {
            return Integer.parseInt(String.valueOf(raw));
        } catch (NumberFormatException e) {
            throw new TemplateException(at, "expected a whole number");
        }
    }
}
