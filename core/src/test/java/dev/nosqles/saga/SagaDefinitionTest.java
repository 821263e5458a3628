package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.testsupport.BankAccount;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SagaDefinitionTest {

    @Test
    void a_definition_keeps_its_steps_in_order_with_their_actions_and_deadlines() {
        SagaDefinition<Transfer.Data> definition = Transfer.definition();

        assertThat(definition.type()).isEqualTo("TransferSaga");
        assertThat(definition.replyChannel()).isEqualTo(SagaDefinition.DEFAULT_REPLY_CHANNEL);
        assertThat(definition.steps()).extracting(SagaDefinition.Step::name)
                .containsExactly("withdraw", "deposit", "audit");
        assertThat(definition.steps().get(0).deadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(definition.steps().get(2).compensation()).isEmpty();
        assertThat(definition.channels()).containsExactly(Transfer.ACCOUNTS);
        SagaDefinition.Rendered rendered = definition.steps().get(0).invocation().orElseThrow()
                .render(new Transfer.Data("a", "b", 5, null));
        assertThat(rendered).isEqualTo(new SagaDefinition.Rendered("accounts", "a", "Withdraw", "{\"amount\":5}"));
    }

    @Test
    void a_step_that_neither_invokes_nor_compensates_is_refused() {
        assertThatThrownBy(() -> SagaDefinition.builder("S", Transfer.Data.class).step("empty").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    }

    @Test
    void a_deadline_or_reply_handler_without_an_invocation_is_refused() {
        assertThatThrownBy(() -> SagaDefinition.builder("S", Transfer.Data.class)
                .step("undo-only").compensate(Transfer.ACCOUNTS, Transfer.Data::from, d -> new BankAccount.Deposit(1))
                .deadline(Duration.ofSeconds(1))
                .step("go").invoke(Transfer.ACCOUNTS, Transfer.Data::to, d -> new BankAccount.Deposit(1))
                .build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("undo-only");
    }

    @Test
    void step_names_are_unique_and_a_saga_needs_a_step_that_invokes() {
        assertThatThrownBy(() -> SagaDefinition.builder("S", Transfer.Data.class)
                .step("a").invoke(Transfer.ACCOUNTS, Transfer.Data::to, d -> new BankAccount.Deposit(1))
                .step("a"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SagaDefinition.builder("S", Transfer.Data.class)
                .step("a").compensate(Transfer.ACCOUNTS, Transfer.Data::to, d -> new BankAccount.Deposit(1))
                .build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SagaDefinition.builder("not a type", Transfer.Data.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_channel_encodes_commands_under_their_wire_names_and_refuses_unregistered_ones() {
        assertThat(Transfer.ACCOUNTS.typeOf(new BankAccount.Deposit(3))).isEqualTo("Deposit");
        assertThat(Transfer.ACCOUNTS.decode("Deposit", "{\"amount\":3}")).isEqualTo(new BankAccount.Deposit(3));
        assertThatThrownBy(() -> Transfer.ACCOUNTS.typeOf(new BankAccount.Noop()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Transfer.ACCOUNTS.decode("Noop", "{}"))
                .isInstanceOfSatisfying(SagaMessageException.class, e -> {
                    assertThat(e.kind()).isEqualTo("command");
                    assertThat(e.field()).isEqualTo("commandType");
                });
    }

    @Test
    void saga_messages_survive_the_wire() {
        SagaMessage command = new CommandMessage("m1", "TransferSaga", "s1", "saga-replies", "accounts", "a",
                "Deposit", "{\"amount\":3}");
        SagaMessage reply = new ReplyMessage("r1", "TransferSaga", "s1", "saga-replies", "m1", ReplyOutcome.FAILURE,
                "insufficient-funds", "{\"number\":\"7\"}");
        SagaMessage deadline = new DeadlineMessage("d1", "TransferSaga", "s1", "saga-replies", "m1",
                Instant.parse("2026-01-01T00:00:30Z"));

        assertThat(SagaMessage.fromJson(command.toJson())).isEqualTo(command);
        assertThat(SagaMessage.fromJson(reply.toJson())).isEqualTo(reply);
        assertThat(SagaMessage.fromJson(deadline.toJson())).isEqualTo(deadline);
        assertThat(command.toJson()).contains("\"command\":{\"amount\":3}");
    }

    @Test
    void when_a_message_was_first_sent_and_a_commands_attempt_survive_the_wire_and_old_bodies_still_read() {
        Instant sentAt = Instant.parse("2026-01-01T00:00:00.123Z");
        CommandMessage resent = new CommandMessage("m1", "TransferSaga", "s1", "saga-replies", "accounts", "a",
                "Deposit", "{\"amount\":3}", 2, sentAt);
        SagaMessage reply = new ReplyMessage("r1", "TransferSaga", "s1", "saga-replies", "m1", ReplyOutcome.SUCCESS,
                null, "{}", sentAt);
        SagaMessage deadline = new DeadlineMessage("d1", "TransferSaga", "s1", "saga-replies", "m1",
                Instant.parse("2026-01-01T00:00:30Z"), sentAt);

        assertThat(SagaMessage.fromJson(resent.toJson())).isEqualTo(resent);
        assertThat(SagaMessage.fromJson(reply.toJson())).isEqualTo(reply);
        assertThat(SagaMessage.fromJson(deadline.toJson())).isEqualTo(deadline);
        assertThat(resent.deduplicationId()).isNotEqualTo("m1");
        assertThat(new CommandMessage("m1", "TransferSaga", "s1", "saga-replies", "accounts", "a", "Deposit",
                "{}").deduplicationId()).isEqualTo("m1");
        assertThat(SagaMessage.fromJson("{\"kind\":\"reply\",\"messageId\":\"r1\",\"sagaType\":\"T\","
                + "\"sagaId\":\"s\",\"replyChannel\":\"c\",\"inReplyTo\":\"m1\",\"outcome\":\"SUCCESS\"}").sentAt())
                .isNull();
    }

    @Test
    void a_body_that_is_not_a_saga_message_is_refused_naming_the_field_not_the_content() {
        assertThatThrownBy(() -> SagaMessage.fromJson("{\"kind\":\"reply\",\"messageId\":\"secret-42\"}"))
                .isInstanceOfSatisfying(SagaMessageException.class, e -> assertThat(e.field()).isEqualTo("sagaType"))
                .message().doesNotContain("secret-42");
        assertThatThrownBy(() -> SagaMessage.fromJson("not json")).isInstanceOf(SagaMessageException.class);
    }

    @Test
    void a_step_whose_deadline_times_its_attempts_outlasts_what_participants_deduplicate_is_refused() {
        assertThatThrownBy(() -> SagaDefinition.builder("LongSaga", Transfer.Data.class)
                .maxResends(3)
                .step("withdraw")
                .invoke(Transfer.ACCOUNTS, Transfer.Data::from, d -> new BankAccount.Withdraw(d.amount()))
                .deadline(Duration.ofDays(4)) // 4 attempts x 4 days = 16 days
                .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("withdraw");
    }
}
