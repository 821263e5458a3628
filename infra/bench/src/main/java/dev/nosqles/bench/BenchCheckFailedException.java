package dev.nosqles.bench;

import java.util.List;
import java.util.stream.Collectors;

/** One or more of the run's checks failed: the numbers cannot be trusted. */
public final class BenchCheckFailedException extends RuntimeException {
    private final transient List<Check> failed;

    public BenchCheckFailedException(List<Check> failed) {
        super("benchmark checks failed: " + failed.stream().map(c -> c.name() + " (" + c.detail() + ")")
                .collect(Collectors.joining("; ")));
        this.failed = List.copyOf(failed);
    }

    public List<Check> failed() {
        return failed;
    }
}
