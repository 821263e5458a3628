package dev.nosqles.bench;

/** A fact the benchmark run verifies; a failed check fails the run (after the report is written). */
public record Check(String name, boolean passed, String detail) {
    public static Check of(String name, boolean passed, String detail) {
        return new Check(name, passed, detail);
    }
}
