package dev.nosqles.bench;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.aggregate.Snapshotting;
import dev.nosqles.aggregate.Upcasters;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks' aggregate: a ledger of deposits and withdrawals whose events carry a memo, so that an event can
 * be padded to a chosen size. {@code LedgerDeposited} has a schema history (v1 "LedgerCredited" with "sum", v2
 * renamed, v3 added "memo") so that replay exercises the upcasters.
 */
public final class Ledger implements Aggregate<Ledger.State, Ledger.Command, Ledger.Event> {

    /** @param entries deposits and withdrawals applied */
    public record State(String owner, long balance, long entries, boolean open) {
        public static final State NONE = new State(null, 0, 0, false);
    }

    public sealed interface Command permits Open, Deposit, DepositMany, Withdraw {
    }

    public record Open(String owner) implements Command {
    }

    public record Deposit(long amount, String memo) implements Command {
    }

    /** One command, one commit, several events. */
    public record DepositMany(List<Long> amounts, String memo) implements Command {
    }

    public record Withdraw(long amount, String memo) implements Command {
    }

    public sealed interface Event permits Opened, Deposited, Withdrawn {
    }

    public record Opened(String owner) implements Event {
    }

    public record Deposited(long amount, String memo) implements Event {
    }

    public record Withdrawn(long amount, String memo) implements Event {
    }

    public static final String TYPE = "Ledger";
    public static final String OPENED = "LedgerOpened";
    public static final String DEPOSITED = "LedgerDeposited";
    public static final String WITHDRAWN = "LedgerWithdrawn";
    /** The v1 name of {@link #DEPOSITED}, whose amount was called "sum". */
    public static final String CREDITED_V1 = "LedgerCredited";

    private final int snapshotEvery;

    public Ledger() {
        this(0);
    }

    /** @param snapshotEvery snapshot every this many events, 0 = never */
    public Ledger(int snapshotEvery) {
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public State initialState() {
        return State.NONE;
    }

    @Override
    public List<? extends Event> process(State state, Command command) {
        return switch (command) {
            case Open open -> List.of(new Opened(open.owner()));
            case Deposit d -> List.of(new Deposited(d.amount(), d.memo()));
            case DepositMany many -> {
                List<Event> events = new ArrayList<>(many.amounts().size());
                for (long amount : many.amounts()) {
                    events.add(new Deposited(amount, many.memo()));
                }
                yield events;
            }
            case Withdraw w -> List.of(new Withdrawn(w.amount(), w.memo()));
        };
    }

    @Override
    public State apply(State state, Event event) {
        return switch (event) {
            case Opened o -> new State(o.owner(), 0, 0, true);
            case Deposited d -> new State(state.owner(), state.balance() + d.amount(), state.entries() + 1, true);
            case Withdrawn w -> new State(state.owner(), state.balance() - w.amount(), state.entries() + 1, true);
        };
    }

    @Override
    public EventTypes<Event> eventTypes() {
        return EventTypes.<Event>builder()
                .add(OPENED, 1, Opened.class)
                .add(DEPOSITED, 3, Deposited.class)
                .add(WITHDRAWN, 1, Withdrawn.class)
                .build();
    }

    @Override
    public Upcasters upcasters() {
        return Upcasters.builder()
                .renameType(CREDITED_V1, 1, DEPOSITED)
                .renameField(DEPOSITED, 1, "sum", "amount")
                .addField(DEPOSITED, 2, "memo", "")
                .build();
    }

    @Override
    public Snapshotting<State> snapshotting() {
        return snapshotEvery == 0 ? Snapshotting.disabled()
                : Snapshotting.every(snapshotEvery, "LedgerState", 1, State.class);
    }
}
