package dev.nosqles.runtime.template.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Loads a CloudFormation YAML template into plain maps, lists and scalars, turning the short-form tags into their
 * long form: {@code !Ref X} becomes {@code {Ref: X}}, {@code !GetAtt A.B} becomes {@code {Fn::GetAtt: [A, B]}},
 * {@code !Condition C} becomes {@code {Condition: C}}, and any other {@code !Name arg} becomes {@code {Fn::Name: arg}}
 * ({@code !Sub}, {@code !If}, {@code !Equals}, {@code !Join}, {@code !Select}, ...).
 */
public final class CfnYaml {
    private CfnYaml() {
    }

    public static Object load(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new Constructor(options)).load(text);
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            this.yamlMultiConstructors.put("!", new ShortForm());
        }

        private final class ShortForm extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                String name = node.getTag().getValue().substring(1);
                Object argument = switch (node) {
                    case ScalarNode scalar -> constructScalar(scalar);
                    case SequenceNode sequence -> constructSequence(sequence);
                    case MappingNode mapping -> constructMapping(mapping);
                    default -> throw new IllegalStateException("unexpected YAML node " + node.getNodeId());
                };
                Map<String, Object> longForm = new LinkedHashMap<>();
                switch (name) {
                    case "Ref", "Condition" -> longForm.put(name, argument);
                    case "GetAtt" -> {
                        if (argument instanceof String dotted && dotted.indexOf('.') > 0) {
                            int dot = dotted.indexOf('.');
                            longForm.put("Fn::GetAtt", List.of(dotted.substring(0, dot), dotted.substring(dot + 1)));
                        } else {
                            longForm.put("Fn::GetAtt", argument);
                        }
                    }
                    default -> longForm.put("Fn::" + name, argument);
                }
                return longForm;
            }
        }
    }
}
