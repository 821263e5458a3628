package dev.nosqles.app;

/**
 * A command could not be built because a field breaks its rule (a blank name, a negative amount). The API
 * answers 400. The message names the field and the rule, never the value.
 */
public final class InvalidCommandException extends IllegalArgumentException {
    private final String field;
    private final String rule;

    public InvalidCommandException(String field, String rule) {
        super(field + " " + rule);
        this.field = field;
        this.rule = rule;
    }

    public String field() {
        return field;
    }

    public String rule() {
        return rule;
    }
}
