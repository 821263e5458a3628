package dev.nosqles.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The least-privilege review of a CloudFormation template (SAM already transformed), as findings a reviewer would
 * raise. Identity policies (role inline policies, {@code AWS::IAM::Policy}, {@code AWS::IAM::ManagedPolicy}):
 * <ul>
 *   <li>no AWS managed policy attached by ARN (its statements are not in the template to review; SAM's event
 *       source policies allow reading every stream or queue of the account);</li>
 *   <li>no {@code Resource: "*"} unless every action of the statement is in {@link #ACTIONS_WITHOUT_RESOURCES};</li>
 *   <li>no wildcard inside a resource ARN unless it has a pattern of {@link #RESOURCE_PATTERNS};</li>
 *   <li>no {@code Action: "*"} or whole-service {@code "service:*"}, no Allow with NotAction or NotResource.</li>
 * </ul>
 * KMS key policies: there {@code Resource: "*"} means "this key" (the only value a key policy accepts); a statement
 * must name its principal (never {@code "*"}); {@code kms:*} only for the account itself (the statement that lets
 * IAM policies of the account administer the key); any other statement carries a Condition.
 */
final class LeastPrivilege {
    /**
     * Actions that IAM only accepts with {@code Resource: "*"} (no resource-level permissions), with why one of our
     * functions might need them. None is used today; a new one needs its reason here.
     */
    static final Map<String, String> ACTIONS_WITHOUT_RESOURCES = Map.of(
            "xray:PutTraceSegments", "X-Ray tracing (Tracing: Active) has no resource types",
            "xray:PutTelemetryRecords", "X-Ray tracing (Tracing: Active) has no resource types",
            "cloudwatch:PutMetricData", "no resource types; scope it with the cloudwatch:namespace condition key");

    /**
     * The partial wildcards a resource may have, with why: the streams of one table (ListStreams names no single
     * stream; the DynamoDB developer guide scopes a Lambda function's stream access so).
     */
    static final Map<java.util.regex.Pattern, String> RESOURCE_PATTERNS = Map.of(
            java.util.regex.Pattern.compile("\\$\\{\\w+\\.Arn}/stream/\\*"), "the streams of one table");

    private static final Set<String> IDENTITY_POLICY_TYPES = Set.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy");

    private LeastPrivilege() {
    }

    static List<String> findings(JsonNode template) {
        List<String> findings = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(entry -> {
            String id = entry.getKey();
            JsonNode resource = entry.getValue();
            String type = resource.path("Type").asText();
            JsonNode props = resource.path("Properties");
            if (type.equals("AWS::IAM::Role")) {
                for (JsonNode arn : props.path("ManagedPolicyArns")) {
                    findings.add(id + " attaches the managed policy " + text(arn)
                            + " (its statements are not in the template; SAM adds these for event sources)");
                }
                JsonNode policies = props.path("Policies");
                for (int i = 0; i < policies.size(); i++) {
                    identityStatements(id + ".Policies[" + i + "]", policies.get(i).path("PolicyDocument"), findings);
                }
            } else if (IDENTITY_POLICY_TYPES.contains(type)) {
                identityStatements(id, props.path("PolicyDocument"), findings);
            } else if (type.equals("AWS::KMS::Key")) {
                keyStatements(id, props.path("KeyPolicy"), findings);
            }
        });
        return findings;
    }

    private static void identityStatements(String at, JsonNode document, List<String> findings) {
        JsonNode statements = asArray(document.path("Statement"));
        for (int i = 0; i < statements.size(); i++) {
            JsonNode s = statements.get(i);
            String where = at + ".Statement[" + i + "]" + sid(s);
            if (!s.path("Effect").asText().equals("Allow")) {
                continue;
            }
            if (s.has("NotAction") || s.has("NotResource")) {
                findings.add(where + " allows with NotAction/NotResource");
            }
            List<String> actions = strings(s.path("Action"));
            for (String action : actions) {
                if (action.equals("*") || action.endsWith(":*")) {
                    findings.add(where + " allows every action: " + action);
                }
            }
            for (String sub : subs(s.path("Resource"))) {
                if (sub.contains("*") && RESOURCE_PATTERNS.keySet().stream().noneMatch(p -> p.matcher(sub).matches())) {
                    findings.add(where + " names resources by a wildcard: " + sub);
                }
            }
            if (strings(s.path("Resource")).contains("*")) {
                List<String> unexplained = actions.stream()
                        .filter(a -> !ACTIONS_WITHOUT_RESOURCES.containsKey(a)).toList();
                if (!unexplained.isEmpty()) {
                    findings.add(where + " allows " + unexplained + " on Resource \"*\"");
                }
            }
        }
    }

    private static void keyStatements(String at, JsonNode policy, List<String> findings) {
        JsonNode statements = asArray(policy.path("Statement"));
        for (int i = 0; i < statements.size(); i++) {
            JsonNode s = statements.get(i);
            String where = at + ".KeyPolicy.Statement[" + i + "]" + sid(s);
            if (!s.path("Effect").asText().equals("Allow")) {
                continue;
            }
            JsonNode principal = s.path("Principal");
            boolean anyone = principal.isTextual() && principal.asText().equals("*")
                    || strings(principal.path("AWS")).contains("*");
            if (anyone || principal.isMissingNode()) {
                findings.add(where + " does not name its principal");
            }
            boolean accountRoot = principal.path("AWS").path("Fn::Sub").asText()
                    .equals("arn:${AWS::Partition}:iam::${AWS::AccountId}:root");
            List<String> actions = strings(s.path("Action"));
            if (actions.stream().anyMatch(a -> a.equals("*") || a.equals("kms:*")) && !accountRoot) {
                findings.add(where + " allows every KMS action to someone other than the account");
            }
            if (!accountRoot && !s.has("Condition")) {
                findings.add(where + " has no Condition (e.g. the encryption context of the one topic)");
            }
        }
    }

    /** The Fn::Sub strings of a resource value (one or a list). */
    private static List<String> subs(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : asArray(node)) {
            JsonNode sub = n.path("Fn::Sub");
            if (sub.isTextual()) {
                out.add(sub.asText());
            } else if (sub.isArray() && sub.get(0).isTextual()) {
                out.add(sub.get(0).asText());
            }
        }
        return out;
    }

    private static String sid(JsonNode statement) {
        return statement.has("Sid") ? " (" + statement.get("Sid").asText() + ")" : "";
    }

    private static JsonNode asArray(JsonNode node) {
        return node.isArray() ? node : SamTranslator.JSON.createArrayNode().add(node);
    }

    /** The plain strings of a string or list value; intrinsics (objects) are not "*" and are skipped. */
    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(n -> {
                if (n.isTextual()) {
                    out.add(n.asText());
                }
            });
        }
        return out;
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.toString();
    }
}
