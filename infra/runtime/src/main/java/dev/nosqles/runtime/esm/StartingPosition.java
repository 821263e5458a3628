package dev.nosqles.runtime.esm;

/** Where a new stream mapping (one with no checkpoint yet) starts reading. */
public enum StartingPosition {
    /** The oldest record still in the stream. */
    TRIM_HORIZON,
    /** Only records written after the poller was created. */
    LATEST
}
