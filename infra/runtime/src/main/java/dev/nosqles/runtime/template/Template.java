package dev.nosqles.runtime.template;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What template.yaml declares that the local runtime creates and runs, in template order.
 *
 * @param parameters the template's parameters with their defaults (what {@code !Ref} gives locally)
 * @param keys the logical ids of the {@code AWS::KMS::Key} resources (created in the local KMS)
 */
public record Template(List<TableDefinition> tables, List<QueueDefinition> queues, List<TopicDefinition> topics,
                       List<SubscriptionDefinition> subscriptions, List<FunctionDefinition> functions,
                       List<SecretDefinition> secrets, Map<String, String> parameters, List<String> keys) {
    public Template {
        secrets = List.copyOf(secrets);
        parameters = Map.copyOf(parameters);
        keys = List.copyOf(keys);
        tables = List.copyOf(tables);
        queues = List.copyOf(queues);
        topics = List.copyOf(topics);
        subscriptions = List.copyOf(subscriptions);
        functions = List.copyOf(functions);
    }

    /** Without KMS keys. */
    public Template(List<TableDefinition> tables, List<QueueDefinition> queues, List<TopicDefinition> topics,
                    List<SubscriptionDefinition> subscriptions, List<FunctionDefinition> functions,
                    List<SecretDefinition> secrets, Map<String, String> parameters) {
        this(tables, queues, topics, subscriptions, functions, secrets, parameters, List.of());
    }

    /** Without parameters (their defaults are what {@code !Ref} and {@code ${Name}} give locally). */
    public Template(List<TableDefinition> tables, List<QueueDefinition> queues, List<TopicDefinition> topics,
                    List<SubscriptionDefinition> subscriptions, List<FunctionDefinition> functions,
                    List<SecretDefinition> secrets, List<String> keys) {
        this(tables, queues, topics, subscriptions, functions, secrets, Map.of(), keys);
    }

    /** Without parameters and KMS keys. */
    public Template(List<TableDefinition> tables, List<QueueDefinition> queues, List<TopicDefinition> topics,
                    List<SubscriptionDefinition> subscriptions, List<FunctionDefinition> functions,
                    List<SecretDefinition> secrets) {
        this(tables, queues, topics, subscriptions, functions, secrets, Map.of(), List.of());
    }

    /** Without secrets. */
    public Template(List<TableDefinition> tables, List<QueueDefinition> queues, List<TopicDefinition> topics,
                    List<SubscriptionDefinition> subscriptions, List<FunctionDefinition> functions) {
        this(tables, queues, topics, subscriptions, functions, List.of());
    }

    public Optional<SecretDefinition> secret(String logicalId) {
        return secrets.stream().filter(s -> s.logicalId().equals(logicalId)).findFirst();
    }

    public Optional<TableDefinition> table(String logicalId) {
        return tables.stream().filter(t -> t.logicalId().equals(logicalId)).findFirst();
    }

    public Optional<QueueDefinition> queue(String logicalId) {
        return queues.stream().filter(q -> q.logicalId().equals(logicalId)).findFirst();
    }

    public Optional<TopicDefinition> topic(String logicalId) {
        return topics.stream().filter(t -> t.logicalId().equals(logicalId)).findFirst();
    }

    public Optional<FunctionDefinition> function(String logicalId) {
        return functions.stream().filter(f -> f.logicalId().equals(logicalId)).findFirst();
    }
}
