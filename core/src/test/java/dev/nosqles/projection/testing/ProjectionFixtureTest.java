package dev.nosqles.projection.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.projection.AccountSummaries;
import dev.nosqles.projection.AccountSummaries.AccountSummary;
import dev.nosqles.projection.AccountSummaries.Standing;
import dev.nosqles.projection.Projection;
import dev.nosqles.testsupport.BankAccount;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The projection fixture reads as a specification and fails with the difference. */
class ProjectionFixtureTest {
    private static final java.time.Instant T = ProjectionFixture.TIME;

    @Test
    void given_events_of_accounts_then_their_summaries() {
        ProjectionFixture.of(AccountSummaries.projection())
                .given(new BankAccount(), "a-1", new BankAccount.Opened("ann"), new BankAccount.Deposited(5, "EUR"))
                .given(new BankAccount(), "a-2", new BankAccount.Opened("bob"))
                .given(new BankAccount(), "a-1", new BankAccount.Withdrawn(5))
                .thenRows(new AccountSummary("a-2", "bob", 0, 0, Standing.EMPTY, T, T),
                        new AccountSummary("a-1", "ann", 0, 1, Standing.EMPTY, T, T));
    }

    @Test
    void rows_that_differ_fail_with_the_missing_and_the_unexpected_ones() {
        ProjectionFixture<AccountSummary> fixture = ProjectionFixture.of(AccountSummaries.projection())
                .given(new BankAccount(), "a-1", new BankAccount.Opened("ann"), new BankAccount.Deposited(5, "EUR"));

        assertThatThrownBy(() -> fixture.thenRows(new AccountSummary("a-1", "ann", 4, 1, Standing.IN_CREDIT, T, T),
                new AccountSummary("a-9", "zoe", 0, 0, Standing.EMPTY, T, T)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContainingAll("missing:", "balance=4", "accountId=a-9", "unexpected:", "balance=5");
        assertThatThrownBy(fixture::thenRows).isInstanceOf(AssertionError.class).hasMessageContaining("unexpected:");
    }

    @Test
    void versions_continue_per_aggregate_and_every_event_has_the_fixed_time() {
        record Seen(String key, long version, java.time.Instant at) {
        }
        Projection<Seen> seen = Projection.builder("seen", Seen.class, Seen::key)
                .on(new BankAccount(), (e, rows) -> rows.put(new Seen(e.streamId().id() + "@" + e.version(),
                        e.version(), e.timestamp())))
                .build();

        ProjectionFixture.of(seen)
                .given(new BankAccount(), "x", new BankAccount.Opened("ann"))
                .given(new BankAccount(), "y", new BankAccount.Opened("bob"))
                .given(new BankAccount(), "x", new BankAccount.Deposited(1, "EUR"), new BankAccount.Withdrawn(1))
                .thenRows(new Seen("x@1", 1, T), new Seen("y@1", 1, T), new Seen("x@2", 2, T), new Seen("x@3", 3, T));
    }

    record Note(String text) {
    }

    @Test
    void events_of_an_aggregate_the_projection_does_not_project_are_refused() {
        Aggregate<?, ?, Note> other = new Aggregate<Object, Object, Note>() {
            @Override
            public String type() {
                return "Other";
            }

            @Override
            public Object initialState() {
                return "";
            }

            @Override
            public List<? extends Note> process(Object state, Object command) {
                return List.of();
            }

            @Override
            public Object apply(Object state, Note event) {
                return state;
            }

            @Override
            public EventTypes<Note> eventTypes() {
                return EventTypes.<Note>builder().add("Note", 1, Note.class).build();
            }
        };

        assertThatThrownBy(() -> ProjectionFixture.of(AccountSummaries.projection()).given(other, "o", new Note("hello")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not project Other");
    }
}
