package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.internal.TraceHeaders;
import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.CountingMetrics;
import dev.nosqles.testsupport.FailingAfterAppendStore;
import dev.nosqles.testsupport.InterleavingStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What a command leaves for operators: its counts in the metrics, its ids in the log context, its trace header. */
class RepositoryObservabilityTest {
    private final InterleavingStore store = new InterleavingStore(new InMemoryEventStore());
    private final CountingMetrics metrics = new CountingMetrics();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).metrics(metrics).build();

    @AfterEach
    void clear() {
        MDC.clear();
        System.clearProperty(TraceHeaders.PROPERTY);
    }

    @Test
    void handled_rejected_duplicate_and_conflicting_commands_are_counted_apart() {
        accounts.create("a", new BankAccount.Open("ann"));
        accounts.update("a", new BankAccount.Deposit(5), EventMetadata.empty().withMessageId("m1"));
        accounts.update("a", new BankAccount.Deposit(5), EventMetadata.empty().withMessageId("m1"));
        assertThatThrownBy(() -> accounts.update("a", new BankAccount.Withdraw(50)))
                .isInstanceOf(BankAccount.InsufficientFunds.class);
        store.beforeNextAppend(() -> accounts.update("a", new BankAccount.Deposit(1)));
        CommandResult<BankAccount.State, BankAccount.Event> retried = accounts.update("a", new BankAccount.Deposit(2));

        assertThat(retried.attempts()).isEqualTo(2);
        assertThat(metrics.nonZero()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Metric.COMMANDS_HANDLED, 4L, // open, the first m1, the interleaved deposit, the retried deposit
                Metric.DUPLICATES_DROPPED, 1L,
                Metric.COMMANDS_REJECTED, 1L,
                Metric.CONCURRENCY_CONFLICTS, 1L,
                Metric.COMMAND_RETRIES, 1L));
    }

    @Test
    void a_retried_create_counts_a_duplicate_and_only_a_create_by_another_message_counts_a_conflict() {
        FailingAfterAppendStore failing = new FailingAfterAppendStore(new InMemoryEventStore());
        CountingMetrics counted = new CountingMetrics();
        var repository = AggregateRepository.builder(new BankAccount()).eventStore(failing).metrics(counted).build();
        failing.failNext(1, FailingAfterAppendStore.Fault.CONFLICT_AFTER_WRITE); // our own write, answer lost
        repository.create("a", new BankAccount.Open("ann"), EventMetadata.empty().withMessageId("create-a"));

        CommandResult<BankAccount.State, BankAccount.Event> retried =
                repository.create("a", new BankAccount.Open("ann"), EventMetadata.empty().withMessageId("create-a"));

        assertThat(retried.duplicate()).isTrue();
        assertThat(counted.nonZero()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Metric.COMMANDS_HANDLED, 1L, Metric.DUPLICATES_DROPPED, 1L));

        assertThatThrownBy(() -> repository.create("a", new BankAccount.Open("bob"),
                EventMetadata.empty().withMessageId("create-other"))).isInstanceOf(StreamAlreadyExistsException.class);

        assertThat(counted.nonZero()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Metric.COMMANDS_HANDLED, 1L, Metric.DUPLICATES_DROPPED, 1L, Metric.CONCURRENCY_CONFLICTS, 1L));
    }

    @Test
    void the_commands_ids_are_in_the_log_context_while_it_runs_and_what_was_there_before_is_back_after() {
        List<Map<String, String>> seen = new ArrayList<>();
        InterleavingStore spying = new InterleavingStore(new InMemoryEventStore());
        spying.beforeNextAppend(() -> seen.add(new HashMap<>(MDC.getCopyOfContextMap())));
        var repository = AggregateRepository.builder(new BankAccount()).eventStore(spying).build();
        MDC.put(LogContext.CORRELATION_ID, "outer");

        repository.create("b", new BankAccount.Open("bob"),
                EventMetadata.empty().withCorrelationId("corr-1").withMessageId("msg-1"));

        assertThat(seen).singleElement().satisfies(mdc -> assertThat(mdc)
                .containsEntry(LogContext.STREAM_ID, "Account-b")
                .containsEntry(LogContext.CORRELATION_ID, "corr-1")
                .containsEntry(LogContext.MESSAGE_ID, "msg-1")
                .containsEntry(LogContext.CAUSATION_ID, "msg-1"));
        assertThat(MDC.getCopyOfContextMap()).containsExactlyEntriesOf(Map.of(LogContext.CORRELATION_ID, "outer"));
    }

    @Test
    void a_generated_message_id_is_in_the_log_context_too_and_nothing_stays_after_a_rejection() {
        List<Map<String, String>> seen = new ArrayList<>();
        InterleavingStore spying = new InterleavingStore(new InMemoryEventStore());
        spying.beforeNextAppend(() -> seen.add(new HashMap<>(MDC.getCopyOfContextMap())));
        var repository = AggregateRepository.builder(new BankAccount()).eventStore(spying).build();
        CommandResult<BankAccount.State, BankAccount.Event> opened = repository.create("c", new BankAccount.Open("cy"));
        assertThatThrownBy(() -> repository.update("c", new BankAccount.Withdraw(1)))
                .isInstanceOf(BankAccount.InsufficientFunds.class);

        String generated = opened.events().get(0).metadata().messageId();
        assertThat(seen).singleElement().satisfies(mdc -> assertThat(mdc)
                .containsEntry(LogContext.MESSAGE_ID, generated).containsEntry(LogContext.CORRELATION_ID, generated));
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void the_running_invocations_trace_header_is_recorded_with_the_commit() {
        String header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        System.setProperty(TraceHeaders.PROPERTY, header);

        accounts.create("d", new BankAccount.Open("dee"));

        RecordedEvent opened = store.read(StreamId.of("Account", "d")).events().get(0);
        assertThat(opened.metadata().traceHeader()).isEqualTo(header);
    }

    @Test
    void a_commit_stored_before_trace_headers_were_recorded_still_loads_without_one() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, AttributeValue> item = new HashMap<>(CommitItems.toItem(StreamId.of("Account", "e"), 1,
                List.of(new NewEvent(java.util.UUID.randomUUID(), "AccountOpened", 1, "{\"owner\":\"e\"}")),
                new EventMetadata("corr", "caus", "msg", "who"), now));
        // what an older version wrote: the same metadata map, no "trace" key in it
        assertThat(item.get(CommitItems.META).m()).doesNotContainKey("trace");

        CommitItems.Commit commit = CommitItems.fromItem(item);

        assertThat(commit.metadata().traceHeader()).isNull();
        assertThat(commit.metadata().correlationId()).isEqualTo("corr");
    }
}
