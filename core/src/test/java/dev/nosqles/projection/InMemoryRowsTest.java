package dev.nosqles.projection;

import dev.nosqles.projection.testing.ProjectionFixture;
import dev.nosqles.testsupport.BankAccount;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The rows contract on the test fixture's in-memory rows. */
class InMemoryRowsTest extends RowsContract {
    private final ProjectionFixture<Item> fixture = ProjectionFixture.of(projection);
    private int aggregates;

    @Override
    protected void batch(List<Consumer<Rows<Item>>> events) {
        scripts.clear();
        scripts.addAll(events);
        BankAccount.Event[] given = new BankAccount.Event[events.size()];
        for (int i = 0; i < given.length; i++) {
            given[i] = i == 0 ? new BankAccount.Opened("o") : new BankAccount.Deposited(i, "EUR");
        }
        fixture.given(new BankAccount(), "agg-" + ++aggregates, given);
    }

    @Override
    protected Optional<Item> stored(String key) {
        return fixture.rows().stream().filter(i -> i.key().equals(key)).findFirst();
    }
}
