package dev.nosqles.app.api.internal;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import java.util.List;

/**
 * Who may see a customer or an order: the principal that created it (recorded as {@code owner} in its created
 * event since issue 16). For one created before owners were recorded, the principal in the audit metadata of its
 * first event stands in. Another principal is answered as if the resource did not exist (404).
 */
final class Owners {
    private Owners() {
    }

    /**
     * @param owner the owner recorded in the state, or null when none was
     * @param repository to read the first event's principal when no owner was recorded
     */
    static boolean owns(String principal, String owner, AggregateRepository<?, ?, ?> repository, String id) {
        if (owner != null) {
            return owner.equals(principal);
        }
        List<? extends EventEnvelope<?>> history = repository.history(id);
        return !history.isEmpty() && principal.equals(history.getFirst().metadata().principal());
    }

    /** The same check on a history already read. */
    static boolean owns(String principal, String owner, List<? extends EventEnvelope<?>> history) {
        if (owner != null) {
            return owner.equals(principal);
        }
        return !history.isEmpty() && principal.equals(history.getFirst().metadata().principal());
    }
}
