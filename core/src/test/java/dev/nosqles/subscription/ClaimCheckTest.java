package dev.nosqles.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Resolving a published claim check from the event store; the publisher's side is in EventPublisherHandlerTest. */
class ClaimCheckTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final StreamId stream = StreamId.of("Order", "o:1");
    private final UUID first = UUID.randomUUID();
    private final UUID second = UUID.randomUUID();

    ClaimCheckTest() {
        // one commit of two events: the claim check names the second, inside the commit
        store.append(stream, ExpectedVersion.noStream(), List.of(new NewEvent(first, "OrderCreated", 1, "{\"a\":1}"),
                new NewEvent(second, "OrderNoted", 1, "{\"note\":\"long\"}")), EventMetadata.empty());
    }

    private static String claimCheck(String subject, long sequence, UUID id) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"subject\":\"" + subject + "\",\"sequence\":"
                + sequence + ",\"claimcheck\":true,\"dataref\":\"nosqles:" + subject + "/" + sequence + "\"}";
    }

    @Test
    void a_claim_check_resolves_to_the_event_it_names_also_inside_a_multi_event_commit() {
        String envelope = claimCheck("Order-o:1", 2, second);

        assertThat(ClaimCheck.isClaimCheck(envelope)).isTrue();
        var event = ClaimCheck.resolve(store, envelope);

        assertThat(event.eventId()).isEqualTo(second);
        assertThat(event.data()).isEqualTo("{\"note\":\"long\"}");
        assertThat(ClaimCheck.dataref(stream, 2)).isEqualTo("nosqles:Order-o:1/2");
    }

    @Test
    void an_envelope_with_data_is_no_claim_check() {
        assertThat(ClaimCheck.isClaimCheck("{\"id\":\"x\",\"data\":{}}")).isFalse();
        assertThat(ClaimCheck.isClaimCheck("{\"claimcheck\":false}")).isFalse();
    }

    @Test
    void a_claim_check_naming_another_event_or_no_event_is_refused_with_its_context() {
        assertThatThrownBy(() -> ClaimCheck.resolve(store, claimCheck("Order-o:1", 2, first)))
                .isInstanceOfSatisfying(ClaimCheckException.class, e -> {
                    assertThat(e.streamId()).isEqualTo(stream);
                    assertThat(e.version()).isEqualTo(2);
                    assertThat(e.eventId()).isEqualTo(first);
                });
        assertThatThrownBy(() -> ClaimCheck.resolve(store, claimCheck("Order-o:1", 3, second)))
                .isInstanceOf(ClaimCheckException.class);
        assertThatThrownBy(() -> ClaimCheck.resolve(store, claimCheck("Order-nothing", 1, second)))
                .isInstanceOf(ClaimCheckException.class);
    }

    @Test
    void a_malformed_claim_check_is_refused() {
        assertThatThrownBy(() -> ClaimCheck.resolve(store, "not json")).isInstanceOf(ClaimCheckException.class);
        assertThatThrownBy(() -> ClaimCheck.resolve(store, "{\"subject\":\"Order-o:1\",\"sequence\":2}"))
                .isInstanceOf(ClaimCheckException.class);
        assertThatThrownBy(() -> ClaimCheck.resolve(store, claimCheck("no dash", 1, second)))
                .isInstanceOf(ClaimCheckException.class);
        assertThatThrownBy(() -> ClaimCheck.resolve(store, claimCheck("Order-o:1", 0, second)))
                .isInstanceOf(ClaimCheckException.class);
    }
}
