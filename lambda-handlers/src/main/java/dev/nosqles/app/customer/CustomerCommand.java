package dev.nosqles.app.customer;

import dev.nosqles.app.Fields;
import java.math.BigDecimal;

/** What can be asked of a customer. The constructors validate and normalise (amounts to scale 2). */
public sealed interface CustomerCommand {

    /**
     * Creates the customer, owned by {@code owner} (the creating principal; null: no owner recorded).
     *
     * @param email optional (null: none); personal data like the name
     */
    record CreateCustomer(String name, BigDecimal creditLimit, String owner, String email) implements CustomerCommand {
        public CreateCustomer {
            name = Fields.text("name", name);
            creditLimit = Fields.positiveAmount("creditLimit", creditLimit);
            email = email == null ? null : Fields.email("email", email);
        }

        public CreateCustomer(String name, BigDecimal creditLimit, String owner) {
            this(name, creditLimit, owner, null);
        }

        public CreateCustomer(String name, BigDecimal creditLimit) {
            this(name, creditLimit, null, null);
        }
    }

    /**
     * Forgets the customer's personal data (name, e-mail): records {@code CustomerPersonalDataForgotten}, which
     * carries none; the key that encrypts them is deleted by the caller ({@code SubjectKeys.forget}). Forgetting a
     * forgotten customer changes nothing.
     */
    record ForgetPersonalData() implements CustomerCommand {
    }

    /** Holds {@code amount} of the customer's credit for an order. */
    record ReserveCredit(String orderId, BigDecimal amount) implements CustomerCommand {
        public ReserveCredit {
            orderId = Fields.id("orderId", orderId);
            amount = Fields.positiveAmount("amount", amount);
        }
    }

    /** Gives back the credit held for an order. */
    record ReleaseCredit(String orderId) implements CustomerCommand {
        public ReleaseCredit {
            orderId = Fields.id("orderId", orderId);
        }
    }
}
