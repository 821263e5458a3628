package dev.nosqles.runtime.template;

import java.util.Map;
import java.util.Objects;

/**
 * A property value of the template: a literal, or one of the intrinsic functions the local runtime resolves
 * ({@code Ref}, {@code Fn::GetAtt}, {@code Fn::Sub}); any other intrinsic ({@code Fn::If}, {@code Fn::Join}, ...) is
 * kept inert as {@link Intrinsic} and only refused when something needs its value.
 */
public sealed interface Value {

    /** A plain value (strings, and numbers or booleans as written). */
    record Literal(String text) implements Value {
        public Literal {
            Objects.requireNonNull(text, "text");
        }
    }

    /** {@code !Ref LogicalId} (or a pseudo parameter such as {@code AWS::Region}). */
    record Ref(String logicalId) implements Value {
        public Ref {
            Objects.requireNonNull(logicalId, "logicalId");
        }
    }

    /** {@code !GetAtt LogicalId.Attribute}. */
    record GetAtt(String logicalId, String attribute) implements Value {
        public GetAtt {
            Objects.requireNonNull(logicalId, "logicalId");
            Objects.requireNonNull(attribute, "attribute");
        }
    }

    /** {@code !Sub "text with ${Name} and ${Resource.Attribute}"}, with its optional variable map. */
    record Sub(String template, Map<String, Value> variables) implements Value {
        public Sub {
            Objects.requireNonNull(template, "template");
            variables = Map.copyOf(variables);
        }
    }

    /** Any other intrinsic function, e.g. {@code Fn::If}: read, kept, not evaluated. */
    record Intrinsic(String function, Object argument) implements Value {
        public Intrinsic {
            Objects.requireNonNull(function, "function");
        }
    }
}
