package dev.nosqles.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import dev.nosqles.memory.InMemorySubjectKeys;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.Rows;
import dev.nosqles.projection.internal.ReadModelTable;
import dev.nosqles.projection.testing.ProjectionFixture;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import dev.nosqles.testsupport.TestTables;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Where personal data goes after the event store, on moto through the SDK: subscribers and read models decode a
 * forgotten subject's fields as placeholders; personal row components are stored encrypted; nothing of it is logged.
 */
class PersonalDataEverywhereTest {
    static final byte[] CURSOR_KEY = "a cursor key of at least 32 bytes!".getBytes(StandardCharsets.UTF_8);

    /** A read model of members: name and e-mail personal, plan indexed. */
    record MemberRow(String memberId, String name, String email, String plan) {
    }

    static Projection<MemberRow> directory(int version) {
        return Projection.builder("member-directory", MemberRow.class, MemberRow::memberId)
                .version(version)
                .index("by-plan", MemberRow::plan, MemberRow::memberId)
                .personalData(MemberRow::memberId, "name", "email")
                .on(new Member(), PersonalDataEverywhereTest::project)
                .build();
    }

    static void project(EventEnvelope<Member.Event> e, Rows<MemberRow> rows) {
        String id = e.streamId().id();
        switch (e.event()) {
            case Member.Joined j -> rows.put(new MemberRow(id, j.name(), j.email(), j.plan()));
            case Member.Renamed r -> rows.update(id, row -> new MemberRow(id, r.name(), row.email(), row.plan()));
            case Member.PlanChanged p -> rows.update(id, row -> new MemberRow(id, row.name(), row.email(), p.plan()));
        }
    }

    private final DynamoDbClient client = TestTables.client(new CapacityMeter());
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    line.append(' ').append(p);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(' ').append(t);
            }
            logged.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private String checkpointsTable;
    private DynamoDbKmsSubjectKeys keys;
    private String readModels;
    private ReadModelTable table;
    private AggregateRepository<Member.State, Member.Command, Member.Event> members;

    /** The framework logs through SLF4J: every logger's lines, with their MDC and exceptions. */
    private dev.nosqles.testsupport.LogLines slf4j;

    private String allLogged() {
        StringBuilder all = new StringBuilder(String.join("\n", logged));
        for (dev.nosqles.testsupport.LogLines.Line line : slf4j.lines()) {
            all.append('\n').append(line.message()).append(' ').append(line.mdc());
            for (Throwable t = line.thrown(); t != null; t = t.getCause()) {
                all.append(' ').append(t);
            }
        }
        return all.toString();
    }

    @BeforeEach
    void setUp() {
        Logger.getLogger("").addHandler(capture);
        slf4j = dev.nosqles.testsupport.LogLines.all();
        store = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "pde")).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, "pde-checkpoints-" + suffix);
        checkpointsTable = "pde-checkpoints-" + suffix;
        checkpoints = DynamoDbCheckpointStore.builder().client(client).tableName(checkpointsTable).build();
        readModels = "pde-read-models-" + suffix;
        ReadModelTable.createTable(client, readModels);
        DynamoDbKmsSubjectKeys.createTable(client, "pde-keys-" + suffix);
        KmsClient kms = DynamoDbKmsSubjectKeysTest.kms(new DynamoDbKmsSubjectKeysTest.KmsProbe());
        String keyId = kms.createKey(b -> b.description("pde")).keyMetadata().keyId();
        keys = DynamoDbKmsSubjectKeys.builder().dynamoDb(client).tableName("pde-keys-" + suffix).kms(kms)
                .kmsKeyId(keyId).build();
        table = new ReadModelTable(client, readModels, CURSOR_KEY, keys);
        members = AggregateRepository.builder(new Member()).eventStore(store).subjectKeys(keys).build();
    }

    @AfterEach
    void tearDown() {
        Logger.getLogger("").removeHandler(capture);
        slf4j.close();
    }

    private List<Map<String, AttributeValue>> commitsOf(String id) {
        return client.query(b -> b.tableName(store.tableName()).consistentRead(true)
                .keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StreamId.of("Member", id).value()))))
                .items();
    }

    private void feed(int version, List<Map<String, AttributeValue>> commits) {
        EventDispatcher dispatcher = new EventDispatcher(List.of(table.subscriber(directory(version), version,
                "read-model.member-directory." + version)), checkpoints, store);
        EventDispatcher.Result result = dispatcher.dispatch(commits);
        assertThat(result.failure()).isNull();
    }

    private String scanReadModels() {
        StringBuilder all = new StringBuilder();
        client.scanPaginator(b -> b.tableName(readModels)).items()
                .forEach(item -> item.values().forEach(v -> all.append(v.s()).append(' ')));
        return all.toString();
    }

    @Test
    void read_model_rows_keep_personal_components_encrypted_and_read_placeholders_after_forget() {
        members.create("r1", new Member.Join("Quinn Secret", "quinn@example.org", "gold"));
        members.update("r1", new Member.Rename("Quinn Renamed"));
        feed(1, commitsOf("r1"));

        assertThat(scanReadModels()).doesNotContain("Quinn", "quinn@example.org").contains("gold", "\"$pd\":1");
        Projection<MemberRow> v1 = directory(1);
        assertThat(table.get(v1, 1, "r1")).contains(new MemberRow("r1", "Quinn Renamed", "quinn@example.org", "gold"));

        keys.forget("r1");

        MemberRow forgotten = new MemberRow("r1", PersonalData.DEFAULT_PLACEHOLDER, PersonalData.DEFAULT_PLACEHOLDER,
                "gold");
        assertThat(table.get(v1, 1, "r1")).contains(forgotten);
        assertThat(table.query(v1, 1, v -> true, "by-plan", "gold", new PageRequest(10, java.util.Optional.empty(), "", false)).rows())
                .containsExactly(forgotten);
        // a rebuild after the forget: nothing of the subject can be encrypted any more, rows hold the placeholder
        feed(2, commitsOf("r1"));
        assertThat(table.get(directory(2), 2, "r1")).contains(forgotten);
        assertThat(allLogged()).doesNotContain("Quinn", "quinn@example.org");
    }

    @Test
    void read_models_built_with_subject_keys_feed_and_serve_personal_rows() {
        byte[] cursorKey = CURSOR_KEY;
        dev.nosqles.dynamodb.DynamoDbReadModels readModelsApi =
                dev.nosqles.dynamodb.DynamoDbReadModels.builder().client(client)
                        .readModelsTable(readModels).checkpointsTable(checkpointsTable).eventStore(store)
                        .projections(List.of(directory(1))).cursorKey(cursorKey).subjectKeys(keys).build();
        members.create("d1", new Member.Join("Tess Secret", "tess@example.org", "gold"));
        assertThat(new EventDispatcher(readModelsApi::subscribers, checkpoints, store).dispatch(commitsOf("d1"))
                .failure()).isNull();

        assertThat(readModelsApi.get(directory(1), "d1"))
                .contains(new MemberRow("d1", "Tess Secret", "tess@example.org", "gold"));
        assertThat(scanReadModels()).doesNotContain("Tess", "tess@example.org");
        keys.forget("d1");
        assertThat(readModelsApi.get(directory(1), "d1")).contains(new MemberRow("d1",
                PersonalData.DEFAULT_PLACEHOLDER, PersonalData.DEFAULT_PLACEHOLDER, "gold"));
    }

    @Test
    void subscribers_decode_a_forgotten_subjects_events_as_placeholders_and_refuse_without_keys() {
        members.create("s1", new Member.Join("Rita Secret", "rita@example.org", "gold"));
        keys.forget("s1");
        List<Member.Event> seen = new ArrayList<>();
        Subscriber keyed = Subscriber.builder("pd-keyed").subjectKeys(keys)
                .on(new Member(), (e, ctx) -> seen.add(e.event())).build();
        assertThat(new EventDispatcher(List.of(keyed), checkpoints, store).dispatch(commitsOf("s1")).failure())
                .isNull();
        assertThat(seen).containsExactly(
                new Member.Joined(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "gold"));

        // what the publisher sends to SNS: the stored data as is, personal fields as tokens
        List<String> raw = new ArrayList<>();
        Subscriber publisherLike = Subscriber.builder("pd-raw").onRaw("Member", (e, ctx) -> raw.add(e.data())).build();
        assertThat(new EventDispatcher(List.of(publisherLike), checkpoints, store).dispatch(commitsOf("s1"))
                .failure()).isNull();
        assertThat(raw).hasSize(1);
        assertThat(raw.get(0)).doesNotContain("Rita", "rita@example.org").contains("\"$pd\":1", "\"plan\":\"gold\"");

        Subscriber unkeyed = Subscriber.builder("pd-unkeyed").on(new Member(), (e, ctx) -> seen.add(e.event()))
                .build();
        assertThat(new EventDispatcher(List.of(unkeyed), checkpoints, store).dispatch(commitsOf("s1")).failure())
                .isInstanceOf(MissingSubjectKeysException.class);
        assertThat(allLogged()).doesNotContain("Rita", "rita@example.org");
    }

    @Test
    void a_personal_component_may_not_be_a_row_key_or_an_index_key() {
        assertThatThrownBy(() -> Projection.builder("by-name", MemberRow.class, MemberRow::memberId)
                .index("by-name", MemberRow::name, MemberRow::memberId)
                .personalData(MemberRow::memberId, "name")
                .on(new Member(), PersonalDataEverywhereTest::project).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Projection.builder("by-email", MemberRow.class, row -> "m#" + row.email())
                .personalData(MemberRow::memberId, "email")
                .on(new Member(), PersonalDataEverywhereTest::project).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("email");
        assertThatThrownBy(() -> Projection.builder("no-such", MemberRow.class, MemberRow::memberId)
                .personalData(MemberRow::memberId, "phone")
                .on(new Member(), PersonalDataEverywhereTest::project).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_projection_fixture_stores_personal_components_encrypted_and_forgets_through_its_keys() {
        InMemorySubjectKeys own = new InMemorySubjectKeys();
        ProjectionFixture<MemberRow> fixture = ProjectionFixture.of(directory(1)).withSubjectKeys(own)
                .given(new Member(), "p1", new Member.Joined("Sam", "sam@example.org", "gold"));
        fixture.thenRows(new MemberRow("p1", "Sam", "sam@example.org", "gold"));

        own.forget("p1");

        fixture.thenRows(new MemberRow("p1", PersonalData.DEFAULT_PLACEHOLDER, PersonalData.DEFAULT_PLACEHOLDER,
                "gold"));
    }
}
