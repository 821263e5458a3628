package dev.nosqles.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.DepositTwice;
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
    void given_events_the_command_runs_as_an_update_after_them() {
        AggregateFixture.Outcome<BankAccount.State, BankAccount.Event> outcome =
                account.given(new Opened("ann"), new Deposited(1, "EUR")).withId("x-1").when(new DepositTwice(3, 4));
        assertThat(outcome.versionBefore()).isEqualTo(2);
        assertThat(outcome.state().version()).isEqualTo(4);
        assertThat(outcome.state().id()).isEqualTo("x-1");
        outcome.thenEvents(new Deposited(3, "EUR"), new Deposited(4, "EUR"));
    }
}
