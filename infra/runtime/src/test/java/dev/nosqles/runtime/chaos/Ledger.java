package dev.nosqles.runtime.chaos;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the clients asked for and what they were told: the other side of the invariants. */
final class Ledger {
    /** One create request (with all its retries). */
    record Create(String kind, String idempotencyKey, String customerId, BigDecimal total,
                  RetryingClient.Outcome outcome, String createdId) {
    }

    /** One cancel request (with all its retries). */
    record Cancel(String orderId, String idempotencyKey, RetryingClient.Outcome outcome) {
    }

    final List<Create> customerCreates = new CopyOnWriteArrayList<>();
    final List<Create> orderCreates = new CopyOnWriteArrayList<>();
    final List<Cancel> cancels = new CopyOnWriteArrayList<>();
    /** customer id -> credit limit, for the customers a client was told about. */
    final Map<String, BigDecimal> limits = new ConcurrentHashMap<>();
}
