package dev.nosqles.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.aggregate.EventDecodingException;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.privacy.internal.FieldCipher;
import dev.nosqles.memory.InMemorySubjectKeys;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import dev.nosqles.testing.AggregateFixture;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Personal fields are encrypted on append and decode as placeholders once their subject is forgotten. */
class PersonalDataCodecTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    private final InMemorySubjectKeys keys = new InMemorySubjectKeys();

    private AggregateRepository<Member.State, Member.Command, Member.Event> repo(Member member) {
        return AggregateRepository.builder(member).eventStore(store).snapshotStore(snapshots).subjectKeys(keys).build();
    }

    private String stored(String id) {
        StringBuilder all = new StringBuilder();
        store.read(StreamId.of("Member", id)).events().forEach(e -> all.append(e.data()).append('\n'));
        return all.toString();
    }

    @Test
    void declared_fields_are_stored_as_tokens_and_decode_back() {
        var members = repo(new Member());
        members.create("m1", new Member.Join("Ann Example", "ann@example.org", "gold"));
        members.update("m1", new Member.Rename("Ann Other"));

        String data = stored("m1");
        assertThat(data).doesNotContain("Ann Example", "ann@example.org", "Ann Other")
                .contains("\"plan\":\"gold\"", "\"$pd\":1", "\"s\":\"m1\"");
        assertThat(members.get("m1").state()).isEqualTo(new Member.State("Ann Other", "ann@example.org", "gold", 1));
    }

    @Test
    void after_forget_load_decide_history_and_time_travel_show_placeholders() {
        var members = repo(new Member());
        members.create("m2", new Member.Join("Bob Example", "bob@example.org", "silver"));
        Instant afterJoin = store.read(StreamId.of("Member", "m2")).events().get(0).timestamp();
        members.update("m2", new Member.ChangePlan("gold"));

        assertThat(keys.forget("m2")).isEqualTo(SubjectKeys.ForgetOutcome.FORGOTTEN);

        var forgotten = new Member.State(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "gold", 1);
        assertThat(members.get("m2").state()).isEqualTo(forgotten);
        assertThat(members.findAtVersion("m2", 1).orElseThrow().state().name())
                .isEqualTo(PersonalData.DEFAULT_PLACEHOLDER);
        assertThat(members.findAsOf("m2", afterJoin).orElseThrow().state().plan()).isEqualTo("silver");
        assertThat(members.history("m2")).extracting(EventEnvelope::event).containsExactly(
                new Member.Joined(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "silver"),
                new Member.PlanChanged("gold"));
        // deciding goes on: a command without personal data is accepted
        assertThat(members.update("m2", new Member.ChangePlan("bronze")).state().state().plan()).isEqualTo("bronze");
    }

    @Test
    void writing_personal_data_of_a_forgotten_subject_is_refused_and_nothing_is_appended() {
        var members = repo(new Member());
        members.create("m3", new Member.Join("Cy", "cy@example.org", "gold"));
        keys.forget("m3");

        assertThatThrownBy(() -> members.update("m3", new Member.Rename("Cy Again")))
                .isInstanceOf(SubjectForgottenException.class)
                .satisfies(e -> assertThat(((SubjectForgottenException) e).subject()).isEqualTo("m3"));
        assertThat(store.read(StreamId.of("Member", "m3")).streamVersion()).isEqualTo(1);
        assertThat(stored("m3")).doesNotContain("Cy Again");
    }

    @Test
    void forget_is_idempotent() {
        repo(new Member()).create("m4", new Member.Join("Di", "di@example.org", "gold"));
        assertThat(keys.forget("m4")).isEqualTo(SubjectKeys.ForgetOutcome.FORGOTTEN);
        assertThat(keys.forget("m4")).isEqualTo(SubjectKeys.ForgetOutcome.ALREADY_FORGOTTEN);
        assertThat(keys.isForgotten("m4")).isTrue();
    }

    @Test
    void an_event_of_an_old_schema_of_a_forgotten_subject_upcasts_and_loads() {
        StreamId stream = StreamId.of("Member", "m5");
        // schema 1 stored "fullName" (encrypted under that field name), before the rename
        String fullName = FieldCipher.encrypt(keys, "m5", "fullName", "Eve Old").toString();
        String email = FieldCipher.encrypt(keys, "m5", "email", "eve@example.org").toString();
        store.append(stream, ExpectedVersion.noStream(), List.of(new NewEvent(UUID.randomUUID(), "MemberJoined", 1,
                "{\"fullName\":" + fullName + ",\"email\":" + email + ",\"plan\":\"gold\"}")), EventMetadata.empty());
        var members = repo(new Member());
        assertThat(members.get("m5").state().name()).isEqualTo("Eve Old");

        keys.forget("m5");

        assertThat(members.get("m5").state())
                .isEqualTo(new Member.State(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "gold", 0));
    }

    @Test
    void snapshots_are_encrypted_and_a_forgotten_subjects_snapshot_is_ignored() {
        var members = repo(new Member(2));
        members.create("m6", new Member.Join("Fay", "fay@example.org", "gold"));
        members.update("m6", new Member.ChangePlan("silver"));
        var snapshot = snapshots.load(StreamId.of("Member", "m6")).orElseThrow();
        assertThat(snapshot.data()).doesNotContain("Fay", "fay@example.org", "silver").contains("\"$pd\":1");
        assertThat(members.get("m6").state().name()).isEqualTo("Fay");

        keys.forget("m6");

        assertThat(members.get("m6").state())
                .isEqualTo(new Member.State(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "silver", 1));
        // a later command still runs; its snapshot cannot be encrypted for the forgotten subject and is not written
        members.update("m6", new Member.ChangePlan("bronze"));
        members.update("m6", new Member.ChangePlan("gold"));
        assertThat(members.get("m6").state().plan()).isEqualTo("gold");
    }

    @Test
    void without_subject_keys_personal_data_is_neither_written_nor_silently_hidden() {
        var unkeyed = AggregateRepository.builder(new Member()).eventStore(store).build();
        assertThatThrownBy(() -> unkeyed.create("m7", new Member.Join("Gus", "gus@example.org", "gold")))
                .isInstanceOf(MissingSubjectKeysException.class);
        assertThat(store.read(StreamId.of("Member", "m7")).streamVersion()).isZero();

        repo(new Member()).create("m8", new Member.Join("Hal", "hal@example.org", "gold"));
        assertThatThrownBy(() -> unkeyed.get("m8")).isInstanceOf(MissingSubjectKeysException.class);
    }

    @Test
    void a_token_moved_to_another_field_does_not_decrypt() {
        StreamId stream = StreamId.of("Member", "m9");
        String email = FieldCipher.encrypt(keys, "m9", "email", "ivy@example.org").toString();
        store.append(stream, ExpectedVersion.noStream(), List.of(new NewEvent(UUID.randomUUID(), "MemberJoined", 2,
                "{\"name\":" + email + ",\"plan\":\"gold\"}")), EventMetadata.empty());

        assertThatThrownBy(() -> repo(new Member()).get("m9")).isInstanceOf(EventDecodingException.class)
                .hasMessageNotContaining("ivy");
    }

    @Test
    void the_fixture_encrypts_with_in_memory_keys_by_default_and_forgets_through_given_keys() {
        AggregateFixture.of(new Member()).withId("m10")
                .given(new Member.Joined("Jo", "jo@example.org", "gold"))
                .when(new Member.Rename("Joanna"))
                .thenEvents(new Member.Renamed("Joanna"));

        InMemorySubjectKeys own = new InMemorySubjectKeys();
        own.forget("m11");
        var outcome = AggregateFixture.of(new Member()).withId("m11").withSubjectKeys(own)
                .given(new Member.PlanChanged("gold"))
                .when(new Member.Rename("Kim"));
        assertThatThrownBy(() -> outcome.thenEvents(new Member.Renamed("Kim"))).isInstanceOf(AssertionError.class);
    }

    interface Payment {
    }

    record Paid(String payer, java.math.BigDecimal amount, Instant at) implements Payment {
    }

    @Test
    void the_other_fields_of_an_encrypted_event_are_stored_exactly_as_without_encryption() {
        dev.nosqles.aggregate.EventTypes<Payment> types = dev.nosqles.aggregate.EventTypes.<Payment>builder()
                .add("Paid", 1, Paid.class, PersonalData.<Paid>of(PersonalData.SubjectOf.stream(), "payer")).build();
        EventCodec<Payment> codec = new EventCodec<>(types, dev.nosqles.aggregate.Upcasters.none(), keys);
        StreamId stream = StreamId.of("Payment", "p1");
        Paid paid = new Paid("Pat Payer", new java.math.BigDecimal("25.00"), Instant.parse("2026-01-02T03:04:05Z"));

        NewEvent encoded = codec.encode(stream, UUID.randomUUID(), paid);

        assertThat(encoded.data()).contains("\"amount\":25.00", "\"at\":\"2026-01-02T03:04:05Z\"")
                .doesNotContain("Pat Payer");
        RecordedEvent recorded = new RecordedEvent(encoded.eventId(), stream, 1, encoded.type(),
                encoded.schemaVersion(), encoded.data(), Instant.now(), EventMetadata.empty());
        assertThat(codec.decodeEvent(recorded)).isEqualTo(paid);
    }

    /** As {@link Paid}, with an accessor Jackson alone understands: written through the ObjectMapper's tree. */
    record PaidViaMapper(String payer, java.math.BigDecimal amount, Instant at) implements Payment {
        @com.fasterxml.jackson.annotation.JsonProperty("payer")
        public String payer() {
            return payer;
        }
    }

    @Test
    void a_plain_record_and_one_only_the_mapper_writes_store_the_same_json_apart_from_each_tokens_ciphertext()
            throws Exception {
        dev.nosqles.aggregate.EventTypes<Payment> types = dev.nosqles.aggregate.EventTypes.<Payment>builder()
                .add("Paid", 1, Paid.class, PersonalData.<Paid>of(PersonalData.SubjectOf.stream(), "payer"))
                .add("PaidViaMapper", 1, PaidViaMapper.class,
                        PersonalData.<PaidViaMapper>of(PersonalData.SubjectOf.stream(), "payer"))
                .build();
        EventCodec<Payment> codec = new EventCodec<>(types, dev.nosqles.aggregate.Upcasters.none(), keys);
        StreamId stream = StreamId.of("Payment", "p7");
        Instant at = Instant.parse("2026-01-02T03:04:05.120Z");

        String plain = codec.encode(stream, UUID.randomUUID(), new Paid("Pat \"P\"", new java.math.BigDecimal("1E+3"),
                at)).data();
        String viaMapper = codec.encode(stream, UUID.randomUUID(), new PaidViaMapper("Pat \"P\"",
                new java.math.BigDecimal("1E+3"), at)).data();

        assertThat(EventCodec.writesWithoutObjectMapper(Paid.class)).isTrue();
        assertThat(EventCodec.writesWithoutObjectMapper(PaidViaMapper.class)).isFalse();
        String ciphertext = "\"c\":\"[^\"]+\"";
        assertThat(plain.replaceAll(ciphertext, "\"c\":\"-\""))
                .isEqualTo(viaMapper.replaceAll(ciphertext, "\"c\":\"-\""))
                .isEqualTo("{\"payer\":{\"$pd\":1,\"s\":\"p7\",\"c\":\"-\"},\"amount\":1E+3,"
                        + "\"at\":\"2026-01-02T03:04:05.120Z\"}");
    }

    record Weighed(String payer, double kilos, float grams) implements Payment {
    }

    @Test
    void an_encrypted_event_holding_doubles_and_floats_is_stored_as_the_mappers_tree_wrote_it() throws Exception {
        dev.nosqles.aggregate.EventTypes<Payment> types = dev.nosqles.aggregate.EventTypes.<Payment>builder()
                .add("Weighed", 1, Weighed.class, PersonalData.<Weighed>of(PersonalData.SubjectOf.stream(), "payer"))
                .build();
        EventCodec<Payment> codec = new EventCodec<>(types, dev.nosqles.aggregate.Upcasters.none(), keys);
        StreamId stream = StreamId.of("Payment", "p8");
        Weighed weighed = new Weighed("Pat", 1e10, 0.1f);

        NewEvent encoded = codec.encode(stream, UUID.randomUUID(), weighed);

        // the tree turned them into decimals (USE_BIG_DECIMAL_FOR_FLOATS): what such events always held
        assertThat(encoded.data()).contains("\"kilos\":1.0E+10", "\"grams\":0.10000000149011612");
        RecordedEvent recorded = new RecordedEvent(encoded.eventId(), stream, 1, encoded.type(),
                encoded.schemaVersion(), encoded.data(), Instant.now(), EventMetadata.empty());
        assertThat(codec.decodeEvent(recorded)).isEqualTo(weighed);
    }

    @Test
    void a_codec_decrypts_any_token_before_upcasting_whatever_the_current_declaration() {
        EventCodec<Member.Event> codec = EventCodec.of(new Member(), keys);
        StreamId stream = StreamId.of("Member", "m12");
        NewEvent encoded = codec.encode(stream, UUID.randomUUID(), new Member.Joined("Lu", "lu@example.org", "gold"));
        RecordedEvent recorded = new RecordedEvent(encoded.eventId(), stream, 1, encoded.type(),
                encoded.schemaVersion(), encoded.data(), Instant.now(), EventMetadata.empty());
        assertThat(codec.decodeEvent(recorded)).isEqualTo(new Member.Joined("Lu", "lu@example.org", "gold"));
        assertThatThrownBy(() -> codec.encode(UUID.randomUUID(), new Member.Renamed("x")))
                .isInstanceOf(IllegalStateException.class);
    }
}
