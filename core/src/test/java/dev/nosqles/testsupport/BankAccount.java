package dev.nosqles.testsupport;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.CommandRejectedException;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.aggregate.Snapshotting;
import dev.nosqles.aggregate.Upcasters;
import java.util.List;

/** A small aggregate for the framework's own tests. */
public final class BankAccount implements Aggregate<BankAccount.State, BankAccount.Command, BankAccount.Event> {

    public record State(String owner, long balance, int deposits, boolean open) {
        static final State NONE = new State(null, 0, 0, false);
    }

    public sealed interface Command permits Open, Deposit, Withdraw, DepositTwice, Noop {
    }

    public record Open(String owner) implements Command {
    }

    public record Deposit(long amount) implements Command {
    }

    public record Withdraw(long amount) implements Command {
    }

    /** Two events in one commit. */
    public record DepositTwice(long first, long second) implements Command {
    }

    /** Changes nothing. */
    public record Noop() implements Command {
    }

    public sealed interface Event permits Opened, Deposited, Withdrawn {
    }

    public record Opened(String owner) implements Event {
    }

    public record Deposited(long amount, String currency) implements Event {
    }

    public record Withdrawn(long amount) implements Event {
    }

    public static final class InsufficientFunds extends CommandRejectedException {
        private final long balance;
        private final long requested;

        public InsufficientFunds(long balance, long requested) {
            super("insufficient-funds", "balance " + balance + " is less than " + requested);
            this.balance = balance;
            this.requested = requested;
        }

        public long balance() {
            return balance;
        }

        public long requested() {
            return requested;
        }
    }

    private final int snapshotEvery;
    private final int snapshotSchema;

    public BankAccount() {
        this(0, 1);
    }

    public BankAccount(int snapshotEvery, int snapshotSchema) {
        this.snapshotEvery = snapshotEvery;
        this.snapshotSchema = snapshotSchema;
    }

    @Override
    public String type() {
        return "Account";
    }

    @Override
    public State initialState() {
        return State.NONE;
    }

    @Override
    public List<? extends Event> process(State state, Command command) {
        return switch (command) {
            case Open open -> List.of(new Opened(open.owner()));
            case Deposit d -> List.of(new Deposited(d.amount(), "EUR"));
            case DepositTwice d -> List.of(new Deposited(d.first(), "EUR"), new Deposited(d.second(), "EUR"));
            case Withdraw w -> {
                if (w.amount() > state.balance()) {
                    throw new InsufficientFunds(state.balance(), w.amount());
                }
                yield List.of(new Withdrawn(w.amount()));
            }
            case Noop n -> List.of();
        };
    }

    @Override
    public State apply(State state, Event event) {
        return switch (event) {
            case Opened o -> new State(o.owner(), 0, 0, true);
            case Deposited d -> new State(state.owner(), state.balance() + d.amount(), state.deposits() + 1, true);
            case Withdrawn w -> new State(state.owner(), state.balance() - w.amount(), state.deposits(), true);
        };
    }

    @Override
    public EventTypes<Event> eventTypes() {
        return EventTypes.<Event>builder()
                .add("AccountOpened", 1, Opened.class)
                .add("MoneyDeposited", 3, Deposited.class)
                .add("MoneyWithdrawn", 1, Withdrawn.class)
                .build();
    }

    /**
     * History of MoneyDeposited: v1 was stored as "CashDeposited" with field "sum"; v2 renamed the type and the
     * field to "amount"; v3 added "currency" (default EUR).
     */
    @Override
    public Upcasters upcasters() {
        return Upcasters.builder()
                .renameType("CashDeposited", 1, "MoneyDeposited")
                .renameField("MoneyDeposited", 1, "sum", "amount")
                .addField("MoneyDeposited", 2, "currency", "EUR")
                .build();
    }

    @Override
    public Snapshotting<State> snapshotting() {
        return snapshotEvery == 0 ? Snapshotting.disabled()
                : Snapshotting.every(snapshotEvery, "AccountState", snapshotSchema, State.class);
    }
}
