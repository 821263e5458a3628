package dev.nosqles.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.projection.AccountSummaries.AccountSummary;
import dev.nosqles.projection.AccountSummaries.Standing;
import dev.nosqles.projection.InvalidCursorException.Reason;
import dev.nosqles.projection.internal.ReadModelTable;
import dev.nosqles.testsupport.TestTables;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** Paging through an index of the read-models table (moto), and cursors that were not issued for the query. */
class ReadModelQueryTest {
    private static final IntPredicate ANY_VERSION = v -> true;
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    private final CapacityMeter meter = new CapacityMeter();
    private final DynamoDbClient client = TestTables.client(meter);
    private final Projection<AccountSummary> projection = AccountSummaries.projection();
    private ReadModelTable table;
    private final List<AccountSummary> ann = new ArrayList<>();

    @BeforeEach
    void rows() {
        String name = "query-read-models-" + UUID.randomUUID().toString().substring(0, 8);
        ReadModelTable.createTable(client, name);
        table = new ReadModelTable(client, name, ReadModelFeedTest.KEY);
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 57; i++) {
            AccountSummary row = new AccountSummary("ann-" + i, "ann", i, i, i % 2 == 0 ? Standing.EMPTY
                    : Standing.IN_CREDIT, T0.plusSeconds(i * 7L % 57), T0);
            ann.add(row);
            writes.add(put(1, row));
        }
        for (int i = 0; i < 5; i++) {
            AccountSummary bob = new AccountSummary("bob-" + i, "bob", 1, 1, Standing.IN_CREDIT, T0, T0);
            writes.add(put(1, bob));
            writes.add(put(2, new AccountSummary("v2-" + i, "ann", 1, 1, Standing.IN_CREDIT, T0, T0)));
        }
        for (int i = 0; i < writes.size(); i += 25) {
            List<WriteRequest> chunk = writes.subList(i, Math.min(writes.size(), i + 25));
            client.batchWriteItem(b -> b.requestItems(java.util.Map.of(table.tableName(), chunk)));
        }
    }

    private WriteRequest put(int version, AccountSummary row) {
        return WriteRequest.builder().putRequest(PutRequest.builder()
                .item(ReadModelTable.item(projection, version, row)).build()).build();
    }

    private Page<AccountSummary> page(String partition, int limit, Optional<String> cursor, String scope,
                                      boolean newestFirst) {
        return table.query(projection, 1, ANY_VERSION, AccountSummaries.BY_OWNER, partition,
                new PageRequest(limit, cursor, scope, newestFirst));
    }

    private List<List<AccountSummary>> pages(int limit, boolean newestFirst) {
        List<List<AccountSummary>> pages = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<AccountSummary> page = page("ann", limit, cursor, "caller-1", newestFirst);
            assertThat(page.version()).isEqualTo(1);
            pages.add(page.rows());
            cursor = page.nextCursor();
        } while (cursor.isPresent() && pages.size() < 100);
        return pages;
    }

    private List<AccountSummary> sorted(boolean newestFirst) {
        Comparator<AccountSummary> bySortKey = Comparator.comparing(r -> r.openedAt() + "#" + r.accountId());
        return ann.stream().sorted(newestFirst ? bySortKey.reversed() : bySortKey).toList();
    }

    @Test
    void paging_newest_first_returns_each_row_of_the_partition_once_in_order_and_never_more_than_the_limit() {
        List<List<AccountSummary>> pages = pages(7, true);

        assertThat(pages).allSatisfy(p -> assertThat(p).hasSizeLessThanOrEqualTo(7));
        assertThat(pages.subList(0, 8)).allSatisfy(p -> assertThat(p).hasSize(7));
        assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(sorted(true));
    }

    @Test
    void paging_oldest_first_with_the_largest_limit() {
        List<List<AccountSummary>> pages = pages(PageRequest.MAX_LIMIT, false);

        assertThat(pages).hasSize(1);
        assertThat(pages.get(0)).containsExactlyElementsOf(sorted(false));
        assertThat(pages(1, false).stream().flatMap(List::stream).toList()).containsExactlyElementsOf(sorted(false));
    }

    @Test
    void a_limit_outside_1_to_100_is_refused() {
        assertThatThrownBy(() -> new PageRequest(0, Optional.empty(), "s", true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PageRequest(101, Optional.empty(), "s", true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_second_index_and_a_version_keep_their_own_rows() {
        Page<AccountSummary> inCredit = table.query(projection, 1, ANY_VERSION, AccountSummaries.BY_STANDING,
                "IN_CREDIT", new PageRequest(100, Optional.empty(), "s", false));
        assertThat(inCredit.rows()).hasSize(28 + 5).allSatisfy(r -> assertThat(r.standing())
                .isEqualTo(Standing.IN_CREDIT)).noneMatch(r -> r.accountId().startsWith("v2-"));

        Page<AccountSummary> v2 = table.query(projection, 2, ANY_VERSION, AccountSummaries.BY_OWNER, "ann",
                new PageRequest(100, Optional.empty(), "s", false));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.rows()).extracting(AccountSummary::accountId)
                .containsExactly("v2-0", "v2-1", "v2-2", "v2-3", "v2-4");
        assertThat(table.get(projection, 1, "ann-3")).contains(ann.get(3));
        assertThat(table.get(projection, 2, "ann-3")).isEmpty();
    }

    @Test
    void a_cursor_keeps_reading_the_version_it_was_issued_for_while_that_version_is_readable() {
        String cursor = page("ann", 10, Optional.empty(), "s", true).nextCursor().orElseThrow();

        // version 2 serves now; the cursor still reads version 1 while it is readable
        Page<AccountSummary> next = table.query(projection, 2, v -> v == 1 || v == 2, AccountSummaries.BY_OWNER,
                "ann", new PageRequest(10, Optional.of(cursor), "s", true));
        assertThat(next.version()).isEqualTo(1);
        assertThat(next.rows()).containsExactlyElementsOf(sorted(true).subList(10, 20));

        assertThatThrownBy(() -> table.query(projection, 2, v -> v == 2, AccountSummaries.BY_OWNER, "ann",
                new PageRequest(10, Optional.of(cursor), "s", true)))
                .isInstanceOfSatisfying(InvalidCursorException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
    }

    private static void refused(Runnable query, Reason reason, String cursor) {
        assertThatThrownBy(query::run).isInstanceOfSatisfying(InvalidCursorException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.readModel()).isEqualTo("account-summaries");
            assertThat(e.getMessage()).doesNotContain(cursor);
        });
    }

    @Test
    void a_cursor_with_any_byte_changed_is_forged() {
        String cursor = page("ann", 5, Optional.empty(), "caller-1", true).nextCursor().orElseThrow();
        byte[] bytes = Base64.getUrlDecoder().decode(cursor);
        for (int i = 0; i < bytes.length; i++) {
            byte[] changed = bytes.clone();
            changed[i] ^= 0x01;
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(changed);
            refused(() -> page("ann", 5, Optional.of(forged), "caller-1", true), Reason.FORGED, forged);
        }
    }

    @Test
    void a_cursor_signed_with_another_key_is_forged() {
        ReadModelTable other = new ReadModelTable(client, table.tableName(),
                "another key of at least thirty-two bytes".getBytes(StandardCharsets.UTF_8));
        String cursor = other.query(projection, 1, ANY_VERSION, AccountSummaries.BY_OWNER, "ann",
                new PageRequest(5, Optional.empty(), "caller-1", true)).nextCursor().orElseThrow();

        refused(() -> page("ann", 5, Optional.of(cursor), "caller-1", true), Reason.FORGED, cursor);
    }

    @Test
    void a_cursor_of_another_partition_scope_order_or_index_is_foreign() {
        String cursor = page("ann", 5, Optional.empty(), "caller-1", true).nextCursor().orElseThrow();

        refused(() -> page("bob", 5, Optional.of(cursor), "caller-1", true), Reason.FOREIGN, cursor);
        refused(() -> page("ann", 5, Optional.of(cursor), "caller-2", true), Reason.FOREIGN, cursor);
        refused(() -> page("ann", 5, Optional.of(cursor), "caller-1", false), Reason.FOREIGN, cursor);
        refused(() -> table.query(projection, 1, ANY_VERSION, AccountSummaries.BY_STANDING, "ann",
                new PageRequest(5, Optional.of(cursor), "caller-1", true)), Reason.FOREIGN, cursor);
        // the same query goes on
        assertThat(page("ann", 5, Optional.of(cursor), "caller-1", true).rows())
                .containsExactlyElementsOf(sorted(true).subList(5, 10));
    }

    @Test
    void garbage_is_a_malformed_cursor() {
        for (String garbage : List.of("not a cursor!", "", "AAAA", "%%%", Base64.getUrlEncoder().encodeToString(
                new byte[40]))) {
            refused(() -> page("ann", 5, Optional.of(garbage), "caller-1", true), Reason.MALFORMED, "never echoed");
        }
    }

    @Test
    void a_row_without_a_partition_value_is_left_out_of_that_index_only() {
        AccountSummary ownerless = new AccountSummary("nobody-1", null, 3, 1, Standing.IN_CREDIT, T0, T0);
        client.putItem(b -> b.tableName(table.tableName()).item(ReadModelTable.item(projection, 3, ownerless)));

        assertThat(ReadModelTable.item(projection, 3, ownerless)).doesNotContainKeys("gsi1pk", "gsi1sk")
                .containsKeys("gsi2pk", "gsi2sk");
        assertThat(table.query(projection, 3, ANY_VERSION, AccountSummaries.BY_STANDING, "IN_CREDIT",
                new PageRequest(10, Optional.empty(), "s", true)).rows()).containsExactly(ownerless);
        assertThat(table.query(projection, 3, ANY_VERSION, AccountSummaries.BY_OWNER, "null",
                new PageRequest(10, Optional.empty(), "s", true)).rows()).isEmpty();
    }

    @Test
    void deleting_a_version_deletes_all_its_rows_in_batches_and_no_other_versions() {
        List<Long> progress = new ArrayList<>();

        long deleted = table.deleteVersion(projection.name(), 1, progress::add);

        assertThat(deleted).isEqualTo(57 + 5);
        assertThat(progress).isSorted().hasSizeGreaterThanOrEqualTo(3).last().isEqualTo(62L);
        assertThat(page("ann", 100, Optional.empty(), "s", true).rows()).isEmpty();
        assertThat(table.get(projection, 1, "bob-0")).isEmpty();
        assertThat(table.query(projection, 2, ANY_VERSION, AccountSummaries.BY_OWNER, "ann",
                new PageRequest(100, Optional.empty(), "s", false)).rows()).hasSize(5);
        assertThat(table.deleteVersion(projection.name(), 1, n -> { })).isZero();
    }
}
