package dev.nosqles.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResourceSummary;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

/**
 * A stack on the local AWS's CloudFormation: what moto cannot take is adapted (and said), creation and deletion are
 * awaited, and the failure reasons of a stack that did not complete are reported (moto never rolls back).
 */
final class MotoStack {
    private MotoStack() {
    }

    /**
     * The transformed template without its {@code AWS::Lambda::Alias} resources, which moto's CloudFormation does
     * not support: every {@code Ref} to an alias (its ARN) becomes the function's ARN, so the event-source mappings,
     * permissions and schedule target the function itself. The aliases are checked in {@link TransformedTemplateTest}.
     *
     * @return the alias logical ids removed
     */
    static List<String> withoutAliases(ObjectNode template) {
        ObjectNode resources = (ObjectNode) template.get("Resources");
        Map<String, String> functionOfAlias = new HashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Lambda::Alias")) {
                functionOfAlias.put(e.getKey(), e.getValue().path("Properties").path("FunctionName").path("Ref").asText());
            }
        });
        functionOfAlias.keySet().forEach(resources::remove);
        replaceAliasRefs(template, functionOfAlias);
        return List.copyOf(functionOfAlias.keySet());
    }

    private static void replaceAliasRefs(JsonNode node, Map<String, String> functionOfAlias) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                if (value.isObject() && value.size() == 1 && functionOfAlias.containsKey(value.path("Ref").asText())) {
                    field.setValue(getAttArn(functionOfAlias.get(value.path("Ref").asText())));
                } else {
                    replaceAliasRefs(value, functionOfAlias);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                if (value.isObject() && value.size() == 1 && functionOfAlias.containsKey(value.path("Ref").asText())) {
                    array.set(i, getAttArn(functionOfAlias.get(value.path("Ref").asText())));
                } else {
                    replaceAliasRefs(value, functionOfAlias);
                }
            }
        }
    }

    private static JsonNode getAttArn(String function) {
        ObjectNode getAtt = SamTranslator.JSON.createObjectNode();
        getAtt.putArray("Fn::GetAtt").add(function).add("Arn");
        return getAtt;
    }

    /**
     * The transformed template without its {@code AWS::SecretsManager::Secret} resources, which moto's CloudFormation
     * does not support, nor the dynamic references to them ({@code {{resolve:secretsmanager:...}}}): each
     * {@code Fn::Sub} that is exactly such a reference to a removed secret becomes the literal
     * {@link #placeholderOf}. The secrets themselves are checked in {@link TransformedTemplateTest}.
     *
     * @return the secret logical ids removed
     */
    static List<String> withoutSecrets(ObjectNode template) {
        ObjectNode resources = (ObjectNode) template.get("Resources");
        List<String> secrets = new java.util.ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::SecretsManager::Secret")) {
                secrets.add(e.getKey());
            }
        });
        secrets.forEach(resources::remove);
        replaceSecretReferences(template, secrets);
        return List.copyOf(secrets);
    }

    /** What a dynamic reference to a removed secret is replaced with. */
    static String placeholderOf(String secret) {
        return "rehearsal-value-of-" + secret + "-" + "x".repeat(32);
    }

    /**
     * The secret of {@code {"Fn::Sub": "{{resolve:secretsmanager:${Secret}}}"}} (or {@code ...${Secret}:SecretString::${Stage}}},
     * a pinned version), or null.
     */
    static String dynamicReference(JsonNode value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "\\{\\{resolve:secretsmanager:\\$\\{(\\w+)}(?::SecretString(?::(?::(?:\\$\\{\\w+}|[^:}$])*){0,2})?)?}}")
                .matcher(value.path("Fn::Sub").asText(""));
        return value.isObject() && value.size() == 1 && m.matches() ? m.group(1) : null;
    }

    private static void replaceSecretReferences(JsonNode node, List<String> secrets) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String secret = dynamicReference(field.getValue());
                if (secret != null && secrets.contains(secret)) {
                    field.setValue(SamTranslator.JSON.getNodeFactory().textNode(placeholderOf(secret)));
                } else {
                    replaceSecretReferences(field.getValue(), secrets);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(value -> replaceSecretReferences(value, secrets));
        }
    }

    /**
     * The transformed template without its {@code AWS::CloudWatch::Alarm} resources, which moto's CloudFormation
     * does not create (it skips them with a warning). Nothing refers to an alarm. The alarms are checked in
     * {@link AlarmsAndDashboardTest}.
     *
     * @return the alarm logical ids removed
     */
    static List<String> withoutAlarms(ObjectNode template) {
        ObjectNode resources = (ObjectNode) template.get("Resources");
        List<String> alarms = new java.util.ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(e.getKey());
            }
        });
        alarms.forEach(resources::remove);
        return List.copyOf(alarms);
    }

    /** Creates the stack and waits for CREATE_COMPLETE; anything else fails with each resource's reason. */
    static List<StackResourceSummary> create(CloudFormationClient cf, String name, JsonNode template) {
        cf.createStack(b -> b.stackName(name).templateBody(template.toString())
                .capabilities(Capability.CAPABILITY_IAM, Capability.CAPABILITY_AUTO_EXPAND));
        Stack stack = await(cf, name, StackStatus.CREATE_IN_PROGRESS);
        List<StackResourceSummary> resources = cf.listStackResourcesPaginator(b -> b.stackName(name))
                .stackResourceSummaries().stream().toList();
        if (stack.stackStatus() != StackStatus.CREATE_COMPLETE) {
            throw new AssertionError("stack " + name + " ended " + stack.stackStatus() + ": " + stack.stackStatusReason()
                    + "\n" + resources.stream().filter(r -> !r.resourceStatusAsString().equals("CREATE_COMPLETE"))
                    .map(r -> r.logicalResourceId() + " " + r.resourceStatusAsString() + " " + r.resourceStatusReason())
                    .toList());
        }
        return resources;
    }

    /** Deletes the stack (if it was created at all) and returns its final status. */
    static StackStatus delete(CloudFormationClient cf, String name) {
        boolean exists = cf.listStacksPaginator().stackSummaries().stream()
                .anyMatch(s -> s.stackName().equals(name) && s.stackStatus() != StackStatus.DELETE_COMPLETE);
        if (!exists) {
            return StackStatus.DELETE_COMPLETE;
        }
        String id = cf.describeStacks(b -> b.stackName(name)).stacks().getFirst().stackId();
        cf.deleteStack(b -> b.stackName(name));
        return await(cf, id, StackStatus.DELETE_IN_PROGRESS).stackStatus();
    }

    private static Stack await(CloudFormationClient cf, String nameOrId, StackStatus whileStatus) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            Stack stack = cf.describeStacks(b -> b.stackName(nameOrId)).stacks().getFirst();
            if (stack.stackStatus() != whileStatus || Instant.now().isAfter(deadline)) {
                return stack;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
