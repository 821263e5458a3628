package dev.nosqles.app.customer;

import dev.nosqles.app.Fields;
import java.math.BigDecimal;

/** What can be asked of a customer. The constructors validate and normalise (amounts to scale 2). */
public sealed interface CustomerCommand {

    /** Creates the customer, owned by {@code owner} (the creating principal; null: no owner recorded). */
    record CreateCustomer(String name, BigDecimal creditLimit, String owner) implements CustomerCommand {
        public CreateCustomer {
            name = Fields.text("name", name);
            creditLimit = Fields.positiveAmount("creditLimit", creditLimit);
        }

        public CreateCustomer(String name, BigDecimal creditLimit) {
            this(name, creditLimit, null);
        }
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
