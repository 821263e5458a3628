package dev.nosqles.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one run measured; written as results.json. Sections 5 (cold start) and 6 (end to end) are null
 * until the application runtime exists.
 */
public record Results(int schema, String generatedAt, double wallSeconds, Map<String, Double> sectionSeconds,
                      Machine machine, String backend, Map<String, Object> pricing, Map<String, Object> settings,
                      RequestUnits.Result requestUnits, List<Overhead.Comparison> overhead,
                      List<Replay.Score> replay, List<Contention.Scenario> contention, Object coldStart,
                      Object endToEnd, List<Check> checks) {

    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }
}
