package dev.nosqles.saga;

import static dev.nosqles.saga.testing.SagaFixture.command;
import static dev.nosqles.saga.testing.SagaFixture.compensation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.saga.internal.SagaIds;
import dev.nosqles.saga.testing.SagaFixture;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.BankAccount.Withdraw;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SagaOrchestratorTest {
    private static final Channel<?> ACCOUNTS = Transfer.ACCOUNTS;
    private final SagaFixture<Transfer.Data> saga = SagaFixture.of(Transfer.definition());
    private final Transfer.Data data = new Transfer.Data("a", "b", 5, null);

    @Test
    void starting_sends_the_first_command_with_its_deadline_and_waits_for_the_reply() {
        SagaFixture.Outcome<Transfer.Data> started = saga.whenStarted(data)
                .thenSent(command(Transfer.ACCOUNTS, "a", new Withdraw(5)))
                .thenStatus(SagaStatus.RUNNING)
                .thenData(data);

        assertThat(started.state().deadline()).isEqualTo(Instant.parse("2026-01-01T00:00:30Z"));
        assertThat(started.state().awaitingCommandId()).isEqualTo(
                started.commands().get(0).messageId());
        assertThat(started.state().sagaId()).isEqualTo(saga.sagaId());
    }

    @Test
    void successful_replies_move_through_the_steps_to_completed_and_fold_reply_data_into_the_saga_data() {
        saga.whenStarted(data);
        saga.whenSucceeded(new Transfer.Receipt("R-7"))
                .thenSent(command(Transfer.ACCOUNTS, "b", new Deposit(5)))
                .thenData(data.withReceipt("R-7"));
        saga.whenSucceeded().thenSent(command(Transfer.ACCOUNTS, "audit", new Open("audit")));
        saga.whenSucceeded().thenNothingSent().thenStatus(SagaStatus.COMPLETED);

        assertThat(saga.current().awaitingCommandId()).isNull();
    }

    @Test
    void a_failed_step_runs_the_earlier_compensations_in_reverse_order_one_reply_at_a_time() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        saga.whenSucceeded();

        saga.whenFailed("audit-closed")
                .thenSent(compensation(Transfer.ACCOUNTS, "b", new Withdraw(5)))
                .thenStatus(SagaStatus.COMPENSATING)
                .thenReason("audit:audit-closed");
        saga.whenSucceeded().thenSent(compensation(Transfer.ACCOUNTS, "a", new Deposit(5)));
        // a compensation's reply moves on whatever its outcome: compensations must be accepted
        saga.whenFailed("whatever").thenNothingSent().thenStatus(SagaStatus.COMPENSATED)
                .thenReason("audit:audit-closed");
    }

    @Test
    void a_failure_of_the_first_step_compensates_nothing_and_ends_compensated_at_once() {
        saga.whenStarted(data);

        saga.whenFailed("insufficient-funds").thenNothingSent().thenStatus(SagaStatus.COMPENSATED)
                .thenReason("withdraw:insufficient-funds");
    }

    @Test
    void an_expired_deadline_sends_the_timed_out_steps_own_compensation_without_waiting_and_undoes_the_rest() {
        saga.whenStarted(data);
        saga.whenSucceeded();

        SagaFixture.Outcome<Transfer.Data> expired = saga.whenDeadlinePasses()
                .thenSent(compensation(Transfer.ACCOUNTS, "b", new Withdraw(5)),
                        compensation(Transfer.ACCOUNTS, "a", new Deposit(5)))
                .thenStatus(SagaStatus.COMPENSATING)
                .thenReason("deposit:deadline-expired");
        SagaResult.Command awaited = expired.commands().get(1);
        assertThat(expired.state().awaitingCommandId()).isEqualTo(awaited.messageId());
        saga.whenSucceeded().thenStatus(SagaStatus.COMPENSATED);
    }

    @Test
    void a_deadline_message_that_comes_before_the_deadline_or_for_another_command_is_ignored() {
        saga.whenStarted(data);
        String awaited = saga.current().awaitingCommandId();

        saga.advance(Duration.ofSeconds(29)).whenDeadlineMessage(awaited).thenIgnored();
        saga.advance(Duration.ofSeconds(5)).whenDeadlineMessage("another-command").thenIgnored();
        saga.whenDeadlineMessage(awaited).thenStatus(SagaStatus.COMPENSATED);
    }

    @Test
    void a_late_reply_to_a_command_the_saga_no_longer_waits_for_is_ignored() {
        saga.whenStarted(data);
        String first = saga.current().awaitingCommandId();
        saga.whenSucceeded();

        saga.whenReplyTo(first, ReplyOutcome.SUCCESS, null, null).thenIgnored().thenStatus(SagaStatus.RUNNING);
        saga.whenReplyTo(first, ReplyOutcome.FAILURE, "late", null).thenIgnored();
    }

    @Test
    void command_message_ids_are_derived_from_the_saga_id_and_step_so_a_replayed_saga_sends_the_same_ids() {
        SagaFixture<Transfer.Data> twin = SagaFixture.of(Transfer.definition());
        saga.whenStarted(data);
        twin.whenStarted(data);

        assertThat(twin.current().awaitingCommandId()).isEqualTo(saga.current().awaitingCommandId());
        assertThat(ACCOUNTS.name()).isEqualTo("accounts");
    }

    @Test
    void every_step_has_a_deadline_the_steps_own_or_the_definitions_default_compensations_included() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        SagaFixture.Outcome<Transfer.Data> audit = saga.whenSucceeded();
        assertThat(audit.state().deadline()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z")
                .plus(SagaDefinition.DEFAULT_DEADLINE));

        SagaFixture.Outcome<Transfer.Data> compensating = saga.whenFailed("audit-closed");
        assertThat(compensating.state().deadline()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z")
                .plus(SagaDefinition.DEFAULT_DEADLINE));
        assertThat(compensating.commands().get(0).deadline())
                .isEqualTo(compensating.state().deadline());
    }

    @Test
    void a_step_without_compensation_past_its_deadline_is_re_sent_with_the_same_message_id_and_a_new_deadline() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        saga.whenSucceeded();
        String audit = saga.current().awaitingCommandId();

        SagaFixture.Outcome<Transfer.Data> resent = saga.whenDeadlinePasses()
                .thenSent(command(Transfer.ACCOUNTS, "audit", new Open("audit")))
                .thenStatus(SagaStatus.RUNNING);

        SagaResult.Command again = resent.commands().get(0);
        assertThat(again.messageId()).isEqualTo(audit);
        assertThat(again.attempt()).isEqualTo(1);
        assertThat(resent.state().awaitingCommandId()).isEqualTo(audit);
        assertThat(resent.state().deadline()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z")
                .plus(SagaDefinition.DEFAULT_DEADLINE));
        saga.whenSucceeded().thenStatus(SagaStatus.COMPLETED);
    }

    @Test
    void a_command_unanswered_after_every_re_send_ends_the_saga_failed_with_a_reason_naming_the_step() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        saga.whenSucceeded();
        for (int resend = 1; resend <= SagaDefinition.DEFAULT_MAX_RESENDS; resend++) {
            saga.whenDeadlinePasses().thenSent(command(Transfer.ACCOUNTS, "audit", new Open("audit")));
        }

        saga.whenDeadlinePasses().thenNothingSent().thenStatus(SagaStatus.FAILED).thenReason("audit:unanswered");
        assertThat(saga.current().status().finished()).isTrue();
        assertThat(saga.current().awaitingCommandId()).isNull();
    }

    @Test
    void a_compensation_past_its_deadline_is_re_sent_with_the_same_message_id() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        SagaFixture.Outcome<Transfer.Data> failed = saga.whenFailed("account-closed");
        String undo = failed.state().awaitingCommandId();

        SagaFixture.Outcome<Transfer.Data> resent = saga.whenDeadlinePasses()
                .thenSent(compensation(Transfer.ACCOUNTS, "a", new Deposit(5)))
                .thenStatus(SagaStatus.COMPENSATING)
                .thenReason("deposit:account-closed");
        assertThat(resent.commands().get(0).messageId()).isEqualTo(undo);
        saga.whenSucceeded().thenStatus(SagaStatus.COMPENSATED);
    }

    @Test
    void a_success_reply_to_a_step_given_up_at_its_deadline_sends_its_compensation_again_with_a_fresh_id() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        String deposit = saga.current().awaitingCommandId();
        SagaResult.Command firstUndo = saga.whenDeadlinePasses().commands().get(0);
        saga.whenSucceeded().thenStatus(SagaStatus.COMPENSATED);

        SagaFixture.Outcome<Transfer.Data> late = saga.whenReply("late-reply", deposit, ReplyOutcome.SUCCESS, null,
                null).thenSent(compensation(Transfer.ACCOUNTS, "b", new Withdraw(5)))
                .thenStatus(SagaStatus.COMPENSATED);

        SagaResult.Command undo = late.commands().get(0);
        assertThat(undo.messageId()).isEqualTo(SagaIds.lateCompensationId("late-reply"))
                .isNotEqualTo(firstUndo.messageId());
        assertThat(undo.deadline()).isNull();
    }

    @Test
    void a_late_failure_reply_to_a_step_given_up_at_its_deadline_needs_no_compensation_and_is_ignored() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        String deposit = saga.current().awaitingCommandId();
        saga.whenDeadlinePasses();

        saga.whenReplyTo(deposit, ReplyOutcome.FAILURE, "credit-reservation-voided", null).thenIgnored();
    }

    @Test
    void events_stored_before_attempts_and_abandoned_commands_existed_still_read() throws Exception {
        var mapper = dev.nosqles.internal.Json.mapper();
        SagaEvent.SagaOrchestratorUpdated updated = mapper.readValue("{\"data\":\"{}\",\"step\":1,"
                + "\"status\":\"RUNNING\",\"awaitingCommandId\":\"c1\",\"deadline\":\"2026-01-01T00:00:30Z\"}",
                SagaEvent.SagaOrchestratorUpdated.class);
        SagaEvent.SagaCommandEvent sent = mapper.readValue("{\"commandMessageId\":\"c1\",\"step\":\"withdraw\","
                + "\"compensation\":false,\"channel\":\"accounts\",\"target\":\"a\",\"commandType\":\"Withdraw\","
                + "\"command\":\"{}\",\"deadline\":null}", SagaEvent.SagaCommandEvent.class);

        assertThat(updated.attempt()).isZero();
        assertThat(updated.abandoned()).isNull();
        assertThat(sent.attempt()).isZero();
        assertThat(sent.firstSentAt()).isNull();
        assertThat(new SagaOrchestrator<>(Transfer.definition()).apply(
                new SagaState<>("s", data, 0, SagaStatus.RUNNING, null, null, null), updated).abandoned()).isEmpty();
    }
}
