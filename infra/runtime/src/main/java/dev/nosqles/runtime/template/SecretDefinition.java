package dev.nosqles.runtime.template;

import java.util.Objects;

/**
 * An {@code AWS::SecretsManager::Secret} whose value Secrets Manager generates ({@code GenerateSecretString}); a
 * function reads it through a dynamic reference, {@code !Sub "{{resolve:secretsmanager:${LogicalId}}}"}. The local
 * runtime generates such a value itself, at random on each start.
 *
 * @param logicalId          its logical id
 * @param passwordLength     GenerateSecretString.PasswordLength (32 when absent, as Secrets Manager)
 * @param excludePunctuation GenerateSecretString.ExcludePunctuation
 */
public record SecretDefinition(String logicalId, int passwordLength, boolean excludePunctuation) {
    public SecretDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
        if (passwordLength < 1 || passwordLength > 4096) {
            throw new IllegalArgumentException("PasswordLength must be 1 to 4096");
        }
    }
}
