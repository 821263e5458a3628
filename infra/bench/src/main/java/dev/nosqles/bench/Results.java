package dev.nosqles.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one run measured; written as results.json. {@code coldStart}, {@code endToEnd}, {@code rebuild},
 * {@code personalData} or {@code bill} is null when that section failed to run (a failed check says why).
 */
public record Results(int schema, String generatedAt, double wallSeconds, Map<String, Double> sectionSeconds,
                      Machine machine, String backend, Map<String, Object> pricing, Map<String, Object> settings,
                      RequestUnits.Result requestUnits, List<Overhead.Comparison> overhead,
                      List<Replay.Score> replay, List<Contention.Scenario> contention, ColdStart.Result coldStart,
                      EndToEnd.Result endToEnd, RebuildThroughput.Result rebuild,
                      PersonalDataOverhead.Result personalData, OrderBill.Result bill,
                      SubscriptionCosts.Result subscriptions, SustainedLoad.Runs load, List<Check> checks) {

    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }
}
