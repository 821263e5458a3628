package dev.nosqles.saga;

/** What a participant answers to a saga command. */
public enum ReplyOutcome {
    /** The command was accepted (with or without events). */
    SUCCESS,
    /** A business rule rejected it, or its target does not exist. */
    FAILURE
}
