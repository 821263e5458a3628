package dev.nosqles.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.testsupport.BankAccount;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What {@link Rows} promise, for every implementation: the DynamoDB read model and the test fixture. Each batch is
 * a list of scripts, one per event of one aggregate handed over in one batch; the projection runs them.
 */
abstract class RowsContract {
    /** A row of the contract's read model. */
    public record Item(String key, String value, int n) {
    }

    /** The scripts of the batch being handed over, one per event. */
    protected final Deque<Consumer<Rows<Item>>> scripts = new ArrayDeque<>();

    protected final Projection<Item> projection = Projection.builder("rows-contract", Item.class, Item::key)
            .index("by-value", Item::value, item -> String.format("%05d", item.n()))
            .on(new BankAccount(), (event, rows) -> scripts.removeFirst().accept(rows))
            .build();

    /** Hands over one batch: one aggregate's events, as many as scripts; rethrows a handler's failure. */
    protected abstract void batch(List<Consumer<Rows<Item>>> events);

    /** The row as committed. */
    protected abstract Optional<Item> stored(String key);

    @SafeVarargs
    private void given(Consumer<Rows<Item>>... events) {
        batch(List.of(events));
    }

    @Test
    void a_row_put_is_stored_and_read_back_in_a_later_batch() {
        given(rows -> rows.put(new Item("a", "x", 1)));

        assertThat(stored("a")).contains(new Item("a", "x", 1));
        Item[] seen = new Item[1];
        given(rows -> seen[0] = rows.get("a").orElseThrow());
        assertThat(seen[0]).isEqualTo(new Item("a", "x", 1));
    }

    @Test
    void a_read_sees_the_changes_made_before_it_in_the_batch() {
        @SuppressWarnings("unchecked")
        Optional<Item>[] seen = new Optional[3];
        given(rows -> {
            seen[0] = rows.get("b");
            rows.put(new Item("b", "x", 1));
            seen[1] = rows.get("b");
        }, rows -> {
            rows.update("b", i -> new Item("b", "y", i.n() + 1));
            seen[2] = rows.get("b");
        });

        assertThat(seen[0]).isEmpty();
        assertThat(seen[1]).contains(new Item("b", "x", 1));
        assertThat(seen[2]).contains(new Item("b", "y", 2));
        assertThat(stored("b")).contains(new Item("b", "y", 2));
    }

    @Test
    void the_last_change_of_a_row_in_a_batch_wins() {
        given(rows -> rows.put(new Item("c", "x", 1)), rows -> rows.put(new Item("c", "y", 2)),
                rows -> rows.put(new Item("c", "z", 3)));

        assertThat(stored("c")).contains(new Item("c", "z", 3));
    }

    @Test
    void a_row_put_and_deleted_in_one_batch_is_not_stored() {
        given(rows -> rows.put(new Item("d", "x", 1)), rows -> rows.delete("d"));

        assertThat(stored("d")).isEmpty();
    }

    @Test
    void updating_or_deleting_a_missing_row_does_nothing() {
        boolean[] called = {false};
        given(rows -> rows.update("missing", i -> {
            called[0] = true;
            return i;
        }), rows -> rows.delete("missing"));

        assertThat(called[0]).isFalse();
        assertThat(stored("missing")).isEmpty();
    }

    @Test
    void a_stored_row_is_updated_and_deleted_in_later_batches() {
        given(rows -> rows.put(new Item("e", "x", 1)));
        given(rows -> rows.update("e", i -> new Item("e", i.value(), i.n() + 10)));
        assertThat(stored("e")).contains(new Item("e", "x", 11));

        given(rows -> rows.delete("e"));
        assertThat(stored("e")).isEmpty();
    }

    @Test
    void an_update_that_changes_the_key_is_refused() {
        given(rows -> rows.put(new Item("f", "x", 1)));

        assertThatThrownBy(() -> given(rows -> rows.update("f", i -> new Item("other", "x", 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(stored("f")).contains(new Item("f", "x", 1));
        assertThat(stored("other")).isEmpty();
    }

    @Test
    void a_failing_event_keeps_the_changes_of_the_events_before_it_and_none_of_its_own() {
        assertThatThrownBy(() -> given(rows -> rows.put(new Item("g", "x", 1)), rows -> {
            rows.put(new Item("h", "x", 1));
            rows.update("g", i -> new Item("g", "changed", 2));
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        assertThat(stored("g")).contains(new Item("g", "x", 1));
        assertThat(stored("h")).isEmpty();
    }

    @Test
    void null_components_are_stored_as_absent_and_read_back_as_null() {
        given(rows -> rows.put(new Item("i", null, 0)));

        assertThat(stored("i")).contains(new Item("i", null, 0));
    }
}
