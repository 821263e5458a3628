package dev.nosqles.runtime.chaos;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a chaos run does, from system properties (so that {@code make chaos SEED=... ORDERS=...} and a replay
 * pass them through Maven):
 * <ul>
 *   <li>{@code chaos.seed} the seed of the workload and of the fault proxy (default: a fixed seed, so the bounded
 *       variant in {@code make test} is the same run every time);</li>
 *   <li>{@code chaos.customers}, {@code chaos.orders}, {@code chaos.clients} (concurrent API clients);</li>
 *   <li>{@code chaos.faults}: a comma list of {@link ChaosFaults.Family} names, {@code all} or {@code none}; a
 *       leading {@code -} removes one from all, e.g. {@code -kill,-dlq}. Without it: the bounded variant's
 *       families, all but {@code dlq-order-commands} (whose steps' deadlines are minutes long);</li>
 *   <li>{@code chaos.scale}: multiplies every fault probability (default 1).</li>
 * </ul>
 */
record ChaosConfig(long seed, int customers, int orders, int clients, Set<ChaosFaults.Family> faults, double scale) {
    static final long DEFAULT_SEED = 20_261_130L;

    static ChaosConfig fromSystemProperties() {
        String seed = System.getProperty("chaos.seed", "");
        return new ChaosConfig(
                seed.isBlank() ? DEFAULT_SEED : Long.parseLong(seed.strip()),
                intProperty("chaos.customers", 6),
                intProperty("chaos.orders", 36),
                intProperty("chaos.clients", 4),
                families(System.getProperty("chaos.faults", "-" + ChaosFaults.Family.DLQ_ORDER_COMMANDS.id())),
                Double.parseDouble(System.getProperty("chaos.scale", "1").strip()));
    }

    boolean has(ChaosFaults.Family family) {
        return faults.contains(family);
    }

    /**
     * How long every order may take to end once the clients are done: a saga whose command died in a DLQ ends on
     * its step's deadline (the reservation: 30 s; the approval: 5 min, then the sweeper's next run, every minute),
     * plus a second per order beyond 36 (the local runtime runs one invocation at a time per mapping).
     * {@code chaos.settleSeconds} overrides it.
     */
    long settleSeconds() {
        String configured = System.getProperty("chaos.settleSeconds", "");
        if (!configured.isBlank()) {
            return Long.parseLong(configured.strip());
        }
        return (has(ChaosFaults.Family.DLQ_ORDER_COMMANDS) ? 420 : 60) + Math.max(0, orders - 36);
    }

    /** The Maven command that replays this run. */
    String replayCommand() {
        return "make chaos SEED=" + seed + " CUSTOMERS=" + customers + " ORDERS=" + orders + " CLIENTS=" + clients
                + " FAULTS=" + faultsArgument() + (scale == 1 ? "" : " SCALE=" + scale);
    }

    String faultsArgument() {
        if (faults.equals(Set.of(ChaosFaults.Family.values()))) {
            return "all";
        }
        if (faults.isEmpty()) {
            return "none";
        }
        List<ChaosFaults.Family> missing = Arrays.stream(ChaosFaults.Family.values()).filter(f -> !faults.contains(f))
                .toList();
        if (missing.size() < faults.size()) {
            return missing.stream().map(f -> "-" + f.id()).collect(Collectors.joining(","));
        }
        return Arrays.stream(ChaosFaults.Family.values()).filter(faults::contains).map(ChaosFaults.Family::id)
                .collect(Collectors.joining(","));
    }

    static Set<ChaosFaults.Family> families(String spec) {
        Set<ChaosFaults.Family> out = new LinkedHashSet<>();
        String[] parts = spec.strip().toLowerCase(Locale.ROOT).split("\\s*,\\s*");
        boolean subtractive = Arrays.stream(parts).allMatch(p -> p.startsWith("-"));
        if (subtractive) {
            out.addAll(Arrays.asList(ChaosFaults.Family.values()));
        }
        for (String part : parts) {
            if (part.isEmpty() || part.equals("none")) {
                continue;
            }
            if (part.equals("all")) {
                out.addAll(Arrays.asList(ChaosFaults.Family.values()));
            } else if (part.startsWith("-")) {
                out.remove(ChaosFaults.Family.of(part.substring(1)));
            } else {
                out.add(ChaosFaults.Family.of(part));
            }
        }
        return Set.copyOf(out);
    }

    private static int intProperty(String name, int fallback) {
        String value = System.getProperty(name, "");
        return value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }
}
