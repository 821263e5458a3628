package dev.nosqles.runtime.template;

import java.util.List;
import java.util.Optional;

/** What template.yaml declares that the local runtime creates and runs, in template order. */
public record Template(List<TableDefinition> tables, List<QueueDefinition> queues, List<TopicDefinition> topics,
                       List<SubscriptionDefinition> subscriptions, List<FunctionDefinition> functions,
                       List<SecretDefinition> secrets) {
    public Template {
        secrets = List.copyOf(secrets);
        tables = List.copyOf(tables);
        queues = List.copyOf(queues);
        topics = List.copyOf(topics);
        subscriptions = List.copyOf(subscriptions);
        functions = List.copyOf(functions);
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
