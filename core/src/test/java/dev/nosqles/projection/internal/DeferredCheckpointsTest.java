package dev.nosqles.projection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.projection.internal.DeferredCheckpoints.Move;
import dev.nosqles.projection.internal.DeferredCheckpoints.Transaction;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryCheckpointStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** How a rebuild page's deferred checkpoint moves are answered and packed into combined transactions. */
class DeferredCheckpointsTest {
    private static final String CHECKPOINTS = "checkpoints";
    private static final String ROWS = "rows";
    private static final Map<String, List<String>> KEYS = Map.of(CHECKPOINTS, List.of("subscriber", "streamId"),
            ROWS, List.of("pk"));

    private static TransactWriteItem row(String key, int padding) {
        return TransactWriteItem.builder().put(Put.builder().tableName(ROWS)
                .item(Map.of("pk", AttributeValue.fromS(key), "data", AttributeValue.fromS("x".repeat(padding))))
                .build()).build();
    }

    private static Move move(int aggregate, long from, long to, TransactWriteItem... writes) {
        return new Move("rm", StreamId.of("Account", "acc-" + aggregate), from, to, List.of(writes));
    }

    private static void assertNoItemTwiceAndWithinLimits(List<Transaction> transactions) {
        for (Transaction tx : transactions) {
            assertThat(tx.items()).hasSizeLessThanOrEqualTo(DeferredCheckpoints.MAX_ITEMS);
            assertThat(tx.items().stream().mapToLong(DeferredCheckpoints::size).sum())
                    .isLessThanOrEqualTo(DeferredCheckpoints.MAX_BYTES);
            Set<String> targets = new HashSet<>();
            for (TransactWriteItem item : tx.items()) {
                assertThat(targets.add(DeferredCheckpoints.target(item, KEYS))).as("item once").isTrue();
            }
        }
    }

    @Test
    void moves_of_distinct_aggregates_share_transactions_of_at_most_100_items_in_their_order() {
        List<Move> moves = new ArrayList<>();
        for (int a = 0; a < 120; a++) {
            moves.add(move(a, 0, 5, row("acc-" + a, 10)));
        }

        List<Transaction> transactions = DeferredCheckpoints.transactions(moves, CHECKPOINTS, KEYS);

        assertThat(transactions).extracting(t -> t.items().size()).containsExactly(100, 100, 40);
        assertThat(transactions.stream().flatMap(t -> t.moves().stream()).toList()).isEqualTo(moves);
        assertNoItemTwiceAndWithinLimits(transactions);
        // each checkpoint Put carries its transaction's token as its write token, and the move's condition
        Transaction first = transactions.get(0);
        TransactWriteItem checkpoint = first.items().get(0);
        assertThat(checkpoint.put().item().get("writeToken").s()).isEqualTo(first.token());
        assertThat(checkpoint.put().item().get("version").n()).isEqualTo("5");
        assertThat(checkpoint.put().conditionExpression()).isEqualTo("attribute_not_exists(#v) OR #v = :from");
        assertThat(transactions).extracting(Transaction::token).doesNotHaveDuplicates();
    }

    @Test
    void a_second_move_of_one_checkpoint_or_of_one_row_starts_the_next_transaction() {
        List<Move> moves = List.of(move(1, 0, 3, row("acc-1", 1)), move(2, 0, 2, row("shared", 1)),
                move(1, 3, 4, row("acc-1b", 1)), move(3, 0, 1, row("shared", 1)));

        List<Transaction> transactions = DeferredCheckpoints.transactions(moves, CHECKPOINTS, KEYS);

        assertThat(transactions).extracting(Transaction::moves)
                .containsExactly(moves.subList(0, 2), moves.subList(2, 4));
        assertNoItemTwiceAndWithinLimits(transactions);
    }

    @Test
    void moves_whose_writes_would_pass_4_MB_together_go_to_separate_transactions() {
        List<Move> moves = new ArrayList<>();
        for (int a = 0; a < 12; a++) {
            TransactWriteItem[] rows = new TransactWriteItem[3];
            for (int r = 0; r < 3; r++) {
                rows[r] = row("acc-" + a + "-" + r, 390 * 1024);
            }
            moves.add(move(a, 0, 1, rows));
        }

        List<Transaction> transactions = DeferredCheckpoints.transactions(moves, CHECKPOINTS, KEYS);

        assertThat(transactions).hasSize(4).allSatisfy(t -> assertThat(t.moves()).hasSize(3));
        assertNoItemTwiceAndWithinLimits(transactions);
    }

    @Test
    void positions_answer_the_deferred_moves_and_read_the_rest_from_the_real_store() {
        InMemoryCheckpointStore real = new InMemoryCheckpointStore();
        StreamId a = StreamId.of("Account", "a");
        StreamId b = StreamId.of("Account", "b");
        real.advance("rm", b, 0, 7, List.of());
        DeferredCheckpoints deferred = new DeferredCheckpoints(real);

        deferred.advance("rm", a, 0, 4, List.of());
        deferred.advance("rm", a, 4, 6, List.of());

        assertThat(deferred.position("rm", a)).isEqualTo(6);
        assertThat(deferred.positions("rm", List.of(a, b))).isEqualTo(Map.of(a, 6L, b, 7L));
        assertThat(real.position("rm", a)).as("nothing written").isZero();
        assertThatThrownBy(() -> deferred.advance("rm", a, 5, 8, List.of()))
                .isInstanceOf(IllegalStateException.class);
        assertThat(deferred.drain()).extracting(Move::from, Move::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 4L), org.assertj.core.groups.Tuple.tuple(4L, 6L));
        assertThat(deferred.position("rm", a)).as("forgotten after the drain").isZero();
    }
}
