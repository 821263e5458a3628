package dev.nosqles.localaws.faults;

import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of what a {@link FaultProxy} did: faults injected by kind and operation ({@code service:Operation}),
 * and the requests it saw per operation.
 *
 * @param faults   kind -> operation -> count (only non-zero counts)
 * @param requests operation -> requests seen (faulted or not)
 * @param byRule   a rule ({@link FaultRule#toString()}) -> the faults it injected, over every rule set in force so far
 */
public record FaultCounts(Map<FaultKind, Map<String, Long>> faults, Map<String, Long> requests,
                          Map<String, Long> byRule) {
    public FaultCounts {
        Map<FaultKind, Map<String, Long>> copy = new TreeMap<>();
        faults.forEach((kind, byOp) -> {
            if (!byOp.isEmpty()) {
                copy.put(kind, Map.copyOf(new TreeMap<>(byOp)));
            }
        });
        faults = Map.copyOf(copy);
        requests = Map.copyOf(requests);
        byRule = Map.copyOf(byRule);
    }

    /** The faults one rule injected (rules are told apart by their description). */
    public long count(FaultRule rule) {
        return byRule.getOrDefault(rule.toString(), 0L);
    }

    /** Faults of this kind, all operations. */
    public long total(FaultKind kind) {
        return faults.getOrDefault(kind, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Faults of this kind on one operation, e.g. {@code count(LOST_RESPONSE, "dynamodb:PutItem")}. */
    public long count(FaultKind kind, String operation) {
        return faults.getOrDefault(kind, Map.of()).getOrDefault(operation, 0L);
    }

    /** Every fault injected. */
    public long total() {
        long sum = 0;
        for (FaultKind kind : FaultKind.values()) {
            sum += total(kind);
        }
        return sum;
    }

    /** Requests seen of one operation ({@code service:Operation}). */
    public long requests(String operation) {
        return requests.getOrDefault(operation, 0L);
    }

    /** One line per kind: {@code LOST_RESPONSE 12: dynamodb:PutItem=9, sqs:SendMessage=3}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (FaultKind kind : FaultKind.values()) {
            Map<String, Long> byOp = faults.getOrDefault(kind, Map.of());
            out.append(kind).append(' ').append(total(kind));
            if (!byOp.isEmpty()) {
                out.append(": ");
                new TreeMap<>(byOp).forEach((op, n) -> out.append(op).append('=').append(n).append(", "));
                out.setLength(out.length() - 2);
            }
            out.append('\n');
        }
        long seen = requests.values().stream().mapToLong(Long::longValue).sum();
        out.append("requests ").append(seen);
        Map<String, Long> byService = new TreeMap<>();
        requests.forEach((op, n) -> byService.merge(op.substring(0, Math.max(0, op.indexOf(':'))), n, Long::sum));
        if (!byService.isEmpty()) {
            out.append(" (");
            byService.forEach((service, n) -> out.append(service).append(' ').append(n).append(", "));
            out.setLength(out.length() - 2);
            out.append(')');
        }
        return out.toString();
    }
}
