package dev.nosqles.saga;

import dev.nosqles.testsupport.BankAccount;
import java.time.Duration;

/** A test saga over {@link BankAccount}: withdraw from one account, deposit into another, then audit. */
final class Transfer {
    static final Channel<BankAccount.Command> ACCOUNTS = Channel.builder("accounts", BankAccount.Command.class)
            .command("Withdraw", BankAccount.Withdraw.class)
            .command("Deposit", BankAccount.Deposit.class)
            .command("Open", BankAccount.Open.class)
            .build();

    record Data(String from, String to, long amount, String receipt) {
        Data withReceipt(String value) {
            return new Data(from, to, amount, value);
        }
    }

    record Receipt(String number) {
    }

    private Transfer() {
    }

    /** The accounts every transfer test starts from: a (balance 10), b and audit; their streams, for a feed. */
    static java.util.List<dev.nosqles.store.StreamId> openAccounts(dev.nosqles.aggregate.AggregateRepository<
            BankAccount.State, BankAccount.Command, BankAccount.Event> accounts) {
        for (String id : java.util.List.of("a", "b", "audit")) {
            accounts.create(id, new BankAccount.Open(id));
        }
        accounts.update("a", new BankAccount.Deposit(10));
        return java.util.List.of(accounts.streamId("a"), accounts.streamId("b"), accounts.streamId("audit"));
    }

    /** Starts the transfer of 5 from a to b that {@code event} triggers; its saga's stream joins {@code streams}. */
    static String start(SagaManager<Data> sagas, String event, java.util.List<dev.nosqles.store.StreamId> streams) {
        String sagaId = sagas.start(event, new Data("a", "b", 5, null), dev.nosqles.store.EventMetadata.empty())
                .saga().sagaId();
        streams.add(sagas.repository().streamId(sagaId));
        return sagaId;
    }

    /** The same channel, naming its participant's aggregate type: deadlines look for the participant's answer. */
    static final Channel<BankAccount.Command> ACCOUNTS_WITH_PARTICIPANT =
            Channel.builder("accounts", BankAccount.Command.class)
                    .command("Withdraw", BankAccount.Withdraw.class)
                    .command("Deposit", BankAccount.Deposit.class)
                    .command("Open", BankAccount.Open.class)
                    .participant(new BankAccount().type())
                    .build();

    static SagaDefinition<Data> definition() {
        return definition(ACCOUNTS);
    }

    static SagaDefinition<Data> definition(Channel<BankAccount.Command> accounts) {
        final Channel<BankAccount.Command> ACCOUNTS = accounts;
        return SagaDefinition.builder("TransferSaga", Data.class)
                .step("withdraw")
                .invoke(ACCOUNTS, Data::from, d -> new BankAccount.Withdraw(d.amount()))
                .deadline(Duration.ofSeconds(30))
                .compensate(ACCOUNTS, Data::from, d -> new BankAccount.Deposit(d.amount()))
                .onReply(Receipt.class, (d, r) -> d.withReceipt(r.number()))
                .step("deposit")
                .invoke(ACCOUNTS, Data::to, d -> new BankAccount.Deposit(d.amount()))
                .deadline(Duration.ofSeconds(10))
                .compensate(ACCOUNTS, Data::to, d -> new BankAccount.Withdraw(d.amount()))
                .step("audit")
                .invoke(ACCOUNTS, d -> "audit", d -> new BankAccount.Open("audit"))
                .build();
    }
}
