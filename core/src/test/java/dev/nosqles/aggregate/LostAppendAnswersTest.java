package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.BankAccount.Withdraw;
import dev.nosqles.testsupport.FailingAfterAppendStore;
import dev.nosqles.testsupport.FailingAfterAppendStore.Fault;
import dev.nosqles.testsupport.LostResponseInterceptor;
import dev.nosqles.testsupport.TestTables;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * A write whose answer was lost (the SDK retried it, or gave up after it landed) is never processed twice by the
 * repository, with or without a message id from the caller; a create that landed is a success.
 */
class LostAppendAnswersTest {
    private final InMemoryEventStore memory = new InMemoryEventStore();
    private final FailingAfterAppendStore store = new FailingAfterAppendStore(memory);
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).build();

    private static final StreamId ACCOUNT = StreamId.of("Account", "a1");

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONFLICT_AFTER_WRITE", "OWN_COMMIT_IN_CONFLICT_AFTER_WRITE",
            "SDK_GAVE_UP_AFTER_WRITE"})
    void an_update_without_message_id_whose_answer_was_lost_is_applied_once(Fault fault) {
        accounts.create("a1", new Open("ann"));
        accounts.update("a1", new Deposit(100));

        store.failNext(1, fault);
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.update("a1", new Withdraw(30));

        assertThat(result.duplicate()).isFalse();
        assertThat(result.state().state().balance()).isEqualTo(70);
        assertThat(result.state().version()).isEqualTo(3);
        assertThat(result.events()).extracting(EventEnvelope::version).containsExactly(3L);
        assertThat(result.events().get(0).event()).isEqualTo(new BankAccount.Withdrawn(30));
        assertThat(accounts.get("a1").state().balance()).isEqualTo(70);
        assertThat(memory.read(ACCOUNT).events()).hasSize(3);
        assertThat(store.appendsWritten()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONFLICT_AFTER_WRITE", "OWN_COMMIT_IN_CONFLICT_AFTER_WRITE",
            "SDK_GAVE_UP_AFTER_WRITE"})
    void a_create_whose_answer_was_lost_is_a_success_with_one_commit(Fault fault) {
        store.failNext(1, fault);
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.create("a1", new Open("ann"));

        assertThat(result.duplicate()).isFalse();
        assertThat(result.state().version()).isEqualTo(1);
        assertThat(result.state().state().owner()).isEqualTo("ann");
        assertThat(result.events()).extracting(EventEnvelope::type).containsExactly("AccountOpened");
        assertThat(memory.read(ACCOUNT).events()).hasSize(1);
    }

    @Test
    void a_create_with_the_callers_message_id_whose_answer_was_lost_is_answered_as_the_create_not_a_duplicate() {
        store.failNext(1, Fault.CONFLICT_AFTER_WRITE);
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.create("a1", new Open("ann"),
                EventMetadata.empty().withMessageId("create-1"));

        assertThat(result.duplicate()).isFalse();
        assertThat(result.events()).hasSize(1);
        // and its real redelivery is the duplicate
        assertThat(accounts.create("a1", new Open("ann"), EventMetadata.empty().withMessageId("create-1"))
                .duplicate()).isTrue();
        assertThat(memory.read(ACCOUNT).events()).hasSize(1);
    }

    @Test
    void a_create_of_an_existing_aggregate_is_still_refused_when_the_answer_was_lost_before_the_write() {
        accounts.create("a1", new Open("ann"));
        store.failNext(1, Fault.SDK_GAVE_UP_BEFORE_WRITE);

        assertThatThrownBy(() -> accounts.create("a1", new Open("bob")))
                .isInstanceOf(dev.nosqles.store.StreamAlreadyExistsException.class);
        assertThat(accounts.get("a1").state().owner()).isEqualTo("ann");
    }

    @Test
    void a_failure_before_the_write_is_reported_and_nothing_is_written() {
        accounts.create("a1", new Open("ann"));
        store.failNext(1, Fault.SDK_GAVE_UP_BEFORE_WRITE);

        assertThatThrownBy(() -> accounts.update("a1", new Deposit(5))).isInstanceOf(SdkClientException.class);
        assertThat(memory.read(ACCOUNT).events()).hasSize(1);

        store.failNext(1, Fault.SDK_GAVE_UP_BEFORE_WRITE);
        assertThatThrownBy(() -> accounts.create("a2", new Open("bob"))).isInstanceOf(SdkClientException.class);
        assertThat(memory.read(StreamId.of("Account", "a2")).events()).isEmpty();
    }

    @Test
    void without_retries_a_conflict_with_our_own_commit_is_still_a_success() {
        var once = AggregateRepository.builder(new BankAccount()).eventStore(store).retry(RetryPolicy.noRetry())
                .build();
        once.create("a1", new Open("ann"));
        once.update("a1", new Deposit(100));
        store.failNext(1, Fault.CONFLICT_AFTER_WRITE);

        assertThat(once.update("a1", new Withdraw(30)).state().state().balance()).isEqualTo(70);
        assertThat(once.get("a1").state().balance()).isEqualTo(70);
    }

    @Test
    void a_recorded_outcome_whose_answer_was_lost_is_recorded_once() {
        accounts.create("a1", new Open("ann"));
        store.failNext(1, Fault.SDK_GAVE_UP_AFTER_WRITE);

        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.updateRecording("a1",
                new Withdraw(30), EventMetadata.empty().withMessageId("w-1"),
                outcome -> new PseudoEvent("nosqles.Test", 1, "{}"));

        assertThat(result.rejected()).isTrue();
        assertThat(result.duplicate()).isFalse();
        assertThat(memory.read(ACCOUNT).events()).extracting(RecordedEvent::type)
                .containsExactly("AccountOpened", "nosqles.Test");
    }

    // ---- the same faults produced by the real SDK against DynamoDB (moto): answers lost in transit

    private static DynamoDbClient lossyClient(LostResponseInterceptor lost) {
        return LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new CapacityMeter())
                        .addExecutionInterceptor(lost))
                .build();
    }

    @Test
    void on_dynamodb_an_update_whose_put_item_answer_was_lost_and_retried_by_the_sdk_is_applied_once() {
        LostResponseInterceptor lost = LostResponseInterceptor.ofFirst(0, PutItemRequest.class);
        DynamoDbClient client = lossyClient(lost);
        var dynamo = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "lost"))
                .build();
        var repo = AggregateRepository.builder(new BankAccount()).eventStore(dynamo).build();
        repo.create("a1", new Open("ann"));
        repo.update("a1", new Deposit(100));

        lost.loseNext(1); // the write lands, its answer is lost, the SDK retries it
        CommandResult<BankAccount.State, BankAccount.Event> result = repo.update("a1", new Withdraw(30));

        assertThat(lost.injected()).isEqualTo(1);
        assertThat(result.state().state().balance()).isEqualTo(70);
        assertThat(repo.get("a1").state().balance()).isEqualTo(70);
        assertThat(dynamo.read(ACCOUNT).events()).hasSize(3);

        lost.loseNext(1);
        CommandResult<BankAccount.State, BankAccount.Event> created = repo.create("a2", new Open("bob"));
        assertThat(lost.injected()).isEqualTo(2);
        assertThat(created.duplicate()).isFalse();
        assertThat(created.state().version()).isEqualTo(1);
        assertThat(dynamo.read(StreamId.of("Account", "a2")).events()).hasSize(1);
    }

    @Test
    void on_dynamodb_writes_whose_answers_are_lost_until_the_sdk_gives_up_are_applied_once() {
        LostResponseInterceptor lost = LostResponseInterceptor.ofFirst(0, PutItemRequest.class);
        DynamoDbClient client = lossyClient(lost);
        var dynamo = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "gaveup"))
                .build();
        var repo = AggregateRepository.builder(new BankAccount()).eventStore(dynamo).build();

        lost.loseNext(100); // every attempt: the first lands, the SDK retries until it gives up
        assertThatThrownBy(() -> dynamo.append(StreamId.of("Account", "probe"), dev.nosqles.store.ExpectedVersion
                .noStream(), List.of(EventCodec.of(new BankAccount()).encode(java.util.UUID.randomUUID(),
                new BankAccount.Opened("x"))), EventMetadata.empty())).isInstanceOf(DynamoDbException.class);
        CommandResult<BankAccount.State, BankAccount.Event> created = repo.create("a1", new Open("ann"));
        repo.update("a1", new Deposit(100));
        CommandResult<BankAccount.State, BankAccount.Event> withdrawn = repo.update("a1", new Withdraw(30));
        lost.loseNext(0);

        assertThat(created.duplicate()).isFalse();
        assertThat(created.state().version()).isEqualTo(1);
        assertThat(withdrawn.state().state().balance()).isEqualTo(70);
        assertThat(repo.get("a1")).satisfies(a -> {
            assertThat(a.state().balance()).isEqualTo(70);
            assertThat(a.version()).isEqualTo(3);
        });
        assertThat(dynamo.read(ACCOUNT).events()).hasSize(3);
    }
}
