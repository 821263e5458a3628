package dev.nosqles.privacy;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.aggregate.Snapshotting;
import dev.nosqles.aggregate.Upcasters;
import java.util.List;

/**
 * A club member whose name and e-mail are personal data (subject: the member's id). Its {@code MemberJoined} was
 * stored in schema 1 with {@code fullName} instead of {@code name}; an upcaster renames it.
 */
public final class Member implements Aggregate<Member.State, Member.Command, Member.Event> {
    public static final String EMAIL_PLACEHOLDER = "forgotten@invalid";

    public record State(String name, String email, String plan, int changes) {
        static final State NONE = new State(null, null, null, 0);
    }

    public sealed interface Command permits Join, Rename, ChangePlan {
    }

    public record Join(String name, String email, String plan) implements Command {
    }

    public record Rename(String name) implements Command {
    }

    public record ChangePlan(String plan) implements Command {
    }

    public sealed interface Event permits Joined, Renamed, PlanChanged {
    }

    public record Joined(String name, String email, String plan) implements Event {
    }

    public record Renamed(String name) implements Event {
    }

    public record PlanChanged(String plan) implements Event {
    }

    private final int snapshotEvery;

    public Member() {
        this(0);
    }

    public Member(int snapshotEvery) {
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public String type() {
        return "Member";
    }

    @Override
    public State initialState() {
        return State.NONE;
    }

    @Override
    public List<? extends Event> process(State state, Command command) {
        return switch (command) {
            case Join j -> List.of(new Joined(j.name(), j.email(), j.plan()));
            case Rename r -> List.of(new Renamed(r.name()));
            case ChangePlan c -> List.of(new PlanChanged(c.plan()));
        };
    }

    @Override
    public State apply(State state, Event event) {
        return switch (event) {
            case Joined j -> new State(j.name(), j.email(), j.plan(), 0);
            case Renamed r -> new State(r.name(), state.email(), state.plan(), state.changes() + 1);
            case PlanChanged p -> new State(state.name(), state.email(), p.plan(), state.changes() + 1);
        };
    }

    @Override
    public EventTypes<Event> eventTypes() {
        return EventTypes.<Event>builder()
                .add("MemberJoined", 2, Joined.class, PersonalData.<Joined>of(PersonalData.SubjectOf.stream(),
                        "name", "email").placeholder("email", EMAIL_PLACEHOLDER))
                .add("MemberRenamed", 1, Renamed.class, PersonalData.of(PersonalData.SubjectOf.stream(), "name"))
                .add("PlanChanged", 1, PlanChanged.class)
                .build();
    }

    @Override
    public Upcasters upcasters() {
        return Upcasters.builder().renameField("MemberJoined", 1, "fullName", "name").build();
    }

    @Override
    public Snapshotting<State> snapshotting() {
        return snapshotEvery == 0 ? Snapshotting.disabled()
                : Snapshotting.every(snapshotEvery, "MemberState", 1, State.class);
    }
}
