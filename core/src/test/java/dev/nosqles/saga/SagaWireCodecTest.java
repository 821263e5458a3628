package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One wire codec per saga message, on every hop, and bodies and reply requests written by earlier versions. */
class SagaWireCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).eventStore(store).build();

    @BeforeEach
    void account() {
        accounts.create("a", new BankAccount.Open("ann"));
        accounts.update("a", new BankAccount.Deposit(10));
    }

    private static CommandMessage withdraw(String id, long amount) {
        return new CommandMessage(id, "TransferSaga", "saga-1", "saga-replies", "accounts", "a", "Withdraw",
                "{\"amount\":" + amount + "}", 0, T0, "request-1");
    }

    private RecordedEvent lastOf(String account) {
        List<RecordedEvent> events = store.read(accounts.streamId(account), ReadRequest.all()).events();
        return events.get(events.size() - 1);
    }

    private List<ReplyMessage> repliesSentFromTheStream() {
        sender.replies.clear();
        new Feed(store, new EventDispatcher(List.of(participant.replySender()), new InMemoryCheckpointStore(), store))
                .pump(List.of(accounts.streamId("a")));
        return List.copyOf(sender.replies);
    }

    private static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void every_message_kind_reads_back_as_it_was_written() {
        List<SagaMessage> messages = List.of(
                new CommandMessage("c1", "TransferSaga", "s1", "saga-replies", "accounts", "a", "Withdraw",
                        "{\"amount\":5}", 2, T0, "request-1"),
                new ReplyMessage("r1", "TransferSaga", "s1", "saga-replies", "c1", ReplyOutcome.FAILURE,
                        "insufficient-funds", "{\"receipt\":\"x\"}", T0, "request-1"),
                new DeadlineMessage("d1", "TransferSaga", "s1", "saga-replies", "c1", T0.plusSeconds(30), T0,
                        "request-1"));

        for (SagaMessage message : messages) {
            assertThat(SagaMessage.fromJson(message.toJson())).isEqualTo(message);
        }
    }

    @Test
    void bodies_queued_before_correlation_ids_sent_times_and_attempts_existed_still_decode() {
        String command = "{\"kind\":\"command\",\"messageId\":\"c1\",\"sagaType\":\"TransferSaga\",\"sagaId\":\"s1\","
                + "\"replyChannel\":\"saga-replies\",\"channel\":\"accounts\",\"target\":\"a\","
                + "\"commandType\":\"Withdraw\",\"command\":{\"amount\":5}}";
        String reply = "{\"kind\":\"reply\",\"messageId\":\"r1\",\"sagaType\":\"TransferSaga\",\"sagaId\":\"s1\","
                + "\"replyChannel\":\"saga-replies\",\"inReplyTo\":\"c1\",\"outcome\":\"SUCCESS\",\"data\":{}}";
        String deadline = "{\"kind\":\"deadline\",\"messageId\":\"d1\",\"sagaType\":\"TransferSaga\","
                + "\"sagaId\":\"s1\",\"replyChannel\":\"saga-replies\",\"commandMessageId\":\"c1\","
                + "\"deadline\":\"2026-01-01T00:00:30Z\"}";

        assertThat(SagaMessage.fromJson(command)).isEqualTo(new CommandMessage("c1", "TransferSaga", "s1",
                "saga-replies", "accounts", "a", "Withdraw", "{\"amount\":5}", 0, null, "s1"));
        assertThat(SagaMessage.fromJson(reply)).isEqualTo(new ReplyMessage("r1", "TransferSaga", "s1",
                "saga-replies", "c1", ReplyOutcome.SUCCESS, null, "{}", null, "s1"));
        assertThat(SagaMessage.fromJson(deadline)).isEqualTo(new DeadlineMessage("d1", "TransferSaga", "s1",
                "saga-replies", "c1", Instant.parse("2026-01-01T00:00:30Z"), null, "s1"));
        assertThatThrownBy(() -> SagaMessage.fromJson("{\"kind\":\"command\"}"))
                .isInstanceOf(SagaMessageException.class);
    }

    @Test
    void the_reply_request_is_the_replys_wire_form_less_what_is_known_only_when_the_reply_is_sent()
            throws Exception {
        participant.handle(withdraw("m1", 40)); // rejected: a failure reply with a reason
        RecordedEvent requested = lastOf("a");
        assertThat(requested.type()).isEqualTo(SagaParticipant.REPLY_REQUESTED);

        List<ReplyMessage> sent = repliesSentFromTheStream();

        ReplyMessage expected = new ReplyMessage(requested.eventId().toString(), "TransferSaga", "saga-1",
                "saga-replies", "m1", ReplyOutcome.FAILURE, "insufficient-funds", "{}", requested.timestamp(),
                "request-1");
        assertThat(sent).containsExactly(expected);
        ObjectNode wire = (ObjectNode) tree(expected.toJson());
        wire.remove(List.of("messageId", "sentAt", "correlationId"));
        assertThat(tree(requested.data())).isEqualTo(wire);
    }

    @Test
    void a_reply_request_recorded_in_the_old_shape_yields_the_same_reply_from_the_stream_and_on_redelivery() {
        // as participants wrote it before the codec wrote it: no kind, fields by hand
        String oldShape = "{\"sagaId\":\"saga-1\",\"sagaType\":\"TransferSaga\",\"replyChannel\":\"saga-replies\","
                + "\"inReplyTo\":\"m-old\",\"outcome\":\"FAILURE\",\"reason\":\"insufficient-funds\","
                + "\"data\":{\"balance\":10}}";
        UUID eventId = UUID.randomUUID();
        store.append(accounts.streamId("a"), ExpectedVersion.exactly(2),
                List.of(new NewEvent(eventId, SagaParticipant.REPLY_REQUESTED, 1, oldShape)),
                EventMetadata.empty().withMessageId("m-old").withCorrelationId("request-1"));
        ReplyMessage expected = new ReplyMessage(eventId.toString(), "TransferSaga", "saga-1", "saga-replies",
                "m-old", ReplyOutcome.FAILURE, "insufficient-funds", "{\"balance\":10}", T0, "request-1");

        assertThat(repliesSentFromTheStream()).containsExactly(expected);
        assertThat(SagaParticipant.requestedReply(lastOf("a"))).isEqualTo(expected);

        sender.replies.clear();
        participant.handle(new CommandMessage("m-old", "TransferSaga", "saga-1", "saga-replies", "accounts", "a",
                "Withdraw", "{\"amount\":40}", 1, null, "request-1"));
        assertThat(sender.replies).containsExactly(expected);
    }

    @Test
    void reply_data_that_is_not_a_json_object_is_refused_typed_before_anything_is_written() {
        SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> listing =
                SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).replyData(outcome -> List.of(1, 2))
                        .build();
        SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> texting =
                SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).replyData(outcome -> "done").build();
        long before = lastOf("a").version();

        assertThatThrownBy(() -> listing.handle(withdraw("m1", 4))).isInstanceOfSatisfying(
                SagaMessageException.class, e -> assertThat(e.field()).isEqualTo("data"));
        assertThatThrownBy(() -> texting.handle(withdraw("m1", 4))).isInstanceOf(SagaMessageException.class)
                .hasMessageNotContaining("done");

        assertThat(lastOf("a").version()).isEqualTo(before);
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(repliesSentFromTheStream()).isEmpty();
        assertThatThrownBy(() -> new ReplyMessage("r1", "TransferSaga", "saga-1", "saga-replies", "m1",
                ReplyOutcome.SUCCESS, null, "[1,2]").toJson()).isInstanceOf(SagaMessageException.class);
        assertThat(SagaMessage.fromJson(new ReplyMessage("r1", "TransferSaga", "saga-1", "saga-replies", "m1",
                ReplyOutcome.SUCCESS, null, "{\"n\":1}").toJson())).isInstanceOfSatisfying(ReplyMessage.class,
                r -> assertThat(r.data()).isEqualTo("{\"n\":1}"));
    }

    @Test
    void what_is_not_a_reply_request_is_refused_typed() {
        participant.handle(withdraw("m1", 4));
        List<RecordedEvent> events = store.read(accounts.streamId("a"), ReadRequest.all()).events();
        RecordedEvent withdrawn = events.get(events.size() - 2);

        assertThatThrownBy(() -> SagaParticipant.requestedReply(withdrawn)).isInstanceOf(SagaMessageException.class);
    }
}
