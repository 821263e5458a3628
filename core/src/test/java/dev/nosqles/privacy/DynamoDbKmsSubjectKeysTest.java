package dev.nosqles.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import dev.nosqles.privacy.internal.Aead;

/**
 * Subject keys in a DynamoDB keys table wrapped by KMS, against moto through the AWS SDK: encryption at rest,
 * forgetting, failures of the key service, the cache and its bounds, and two processes creating one key at once.
 */
class DynamoDbKmsSubjectKeysTest {
    private static DynamoDbClient dynamo;
    private static String keyId;
    private static String eventsTable;
    private static String snapshotsTable;

    /** KMS calls by operation name, and a switch that makes every KMS call fail as if unreachable. */
    static final class KmsProbe implements ExecutionInterceptor {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (failing.get()) {
                throw SdkClientException.create("KMS unreachable (injected)");
            }
            calls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                    k -> new AtomicInteger()).incrementAndGet();
        }

        int total() {
            return calls.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    @BeforeAll
    static void setUp() {
        dynamo = TestTables.client(new CapacityMeter());
        eventsTable = TestTables.newEventsTable(dynamo, "pd");
        snapshotsTable = TestTables.newSnapshotsTable(dynamo, "pd");
        try (KmsClient kms = kms(new KmsProbe())) {
            keyId = kms.createKey(b -> b.description("nosqles test personal data key")).keyMetadata().keyId();
        }
    }

    static KmsClient kms(ExecutionInterceptor probe) {
        return LocalAws.shared().configure(KmsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(probe)).build();
    }

    static String newKeysTable() {
        String name = "pd-keys-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbKmsSubjectKeys.createTable(dynamo, name);
        return name;
    }

    static DynamoDbKmsSubjectKeys.Builder keys(String table, KmsProbe probe) {
        return DynamoDbKmsSubjectKeys.builder().dynamoDb(dynamo).tableName(table).kms(kms(probe)).kmsKeyId(keyId);
    }

    private static AggregateRepository<Member.State, Member.Command, Member.Event> members(EventStore store,
                                                                                        SubjectKeys keys) {
        return AggregateRepository.builder(new Member(2)).eventStore(store)
                .snapshotStore(DynamoDbSnapshotStore.builder().client(dynamo).tableName(snapshotsTable).build())
                .subjectKeys(keys).build();
    }

    private static DynamoDbEventStore events() {
        return DynamoDbEventStore.builder().client(dynamo).tableName(eventsTable).build();
    }

    private static String scan(String table) {
        StringBuilder all = new StringBuilder();
        dynamo.scanPaginator(b -> b.tableName(table)).items().forEach(item -> item.values().forEach(v -> {
            all.append(v.s()).append(v.n()).append(' ');
            if (v.b() != null) {
                all.append(new String(v.b().asByteArray(), StandardCharsets.ISO_8859_1));
            }
        }));
        return all.toString();
    }

    @Test
    void personal_fields_and_snapshots_are_encrypted_at_rest_and_forgetting_leaves_placeholders() {
        String table = newKeysTable();
        DynamoDbKmsSubjectKeys keys = keys(table, new KmsProbe()).build();
        var repo = members(events(), keys);
        String id = "at-rest-" + UUID.randomUUID();
        repo.create(id, new Member.Join("Zelda Plaintext", "zelda@example.org", "gold"));
        repo.update(id, new Member.Rename("Zelda Renamed"));
        assertThat(repo.get(id).state().name()).isEqualTo("Zelda Renamed");

        String everything = scan(eventsTable) + scan(snapshotsTable) + scan(table);
        assertThat(everything).doesNotContain("Zelda", "zelda@example.org").contains(id);
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("subject", AttributeValue.fromS(id)))).item();
        assertThat(item).containsKeys("sealed", "sealedWith", "createdAt").doesNotContainKeys("forgottenAt", "wrapped");

        assertThat(keys.forget(id)).isEqualTo(SubjectKeys.ForgetOutcome.FORGOTTEN);
        assertThat(keys.forget(id)).isEqualTo(SubjectKeys.ForgetOutcome.ALREADY_FORGOTTEN);

        Map<String, AttributeValue> tombstone = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("subject", AttributeValue.fromS(id)))).item();
        assertThat(tombstone).containsOnlyKeys("subject", "forgottenAt");
        // another process, with a cold cache, sees the tombstone: the snapshot is ignored, events give placeholders
        DynamoDbKmsSubjectKeys other = keys(table, new KmsProbe()).build();
        assertThat(other.isForgotten(id)).isTrue();
        var elsewhere = members(events(), other);
        assertThat(elsewhere.get(id).state()).isEqualTo(
                new Member.State(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "gold", 1));
        assertThat(elsewhere.findAtVersion(id, 1).orElseThrow().state().name())
                .isEqualTo(PersonalData.DEFAULT_PLACEHOLDER);
        assertThat(elsewhere.history(id)).extracting(e -> e.event()).containsExactly(
                new Member.Joined(PersonalData.DEFAULT_PLACEHOLDER, Member.EMAIL_PLACEHOLDER, "gold"),
                new Member.Renamed(PersonalData.DEFAULT_PLACEHOLDER));
        long version = elsewhere.get(id).version();
        assertThatThrownBy(() -> elsewhere.update(id, new Member.Rename("Zelda Again")))
                .isInstanceOf(SubjectForgottenException.class);
        assertThat(elsewhere.get(id).version()).isEqualTo(version);
        assertThat(elsewhere.update(id, new Member.ChangePlan("silver")).state().state().plan()).isEqualTo("silver");
    }

    @Test
    void an_event_of_an_old_schema_of_a_forgotten_subject_upcasts_and_loads() {
        String table = newKeysTable();
        DynamoDbKmsSubjectKeys keys = keys(table, new KmsProbe()).build();
        String id = "old-" + UUID.randomUUID();
        // MemberJoined schema 1 named the field "fullName"; it was encrypted under that name
        String fullName = dev.nosqles.privacy.internal.FieldCipher.encrypt(keys, id, "fullName", "Olga Old")
                .toString();
        events().append(StreamId.of("Member", id), dev.nosqles.store.ExpectedVersion.noStream(),
                java.util.List.of(new dev.nosqles.store.NewEvent(UUID.randomUUID(), "MemberJoined", 1,
                        "{\"fullName\":" + fullName + ",\"plan\":\"gold\"}")),
                dev.nosqles.store.EventMetadata.empty());
        var repo = members(events(), keys);
        assertThat(repo.get(id).state().name()).isEqualTo("Olga Old");

        keys.forget(id);

        assertThat(repo.get(id).state()).isEqualTo(new Member.State(PersonalData.DEFAULT_PLACEHOLDER, null, "gold", 0));
    }

    @Test
    void kms_unavailable_is_a_typed_failure_nothing_is_written_and_nothing_reads_as_forgotten() {
        String table = newKeysTable();
        KmsProbe probe = new KmsProbe();
        var repo = members(events(), keys(table, probe).build());
        String id = "no-kms-" + UUID.randomUUID();
        probe.failing.set(true);

        assertThatThrownBy(() -> repo.create(id, new Member.Join("Nora", "nora@example.org", "gold")))
                .isInstanceOf(KeyServiceUnavailableException.class)
                .satisfies(e -> assertThat(((KeyServiceUnavailableException) e).subject()).isEqualTo(id));
        assertThat(events().read(StreamId.of("Member", id)).streamVersion()).isZero();
        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("subject", AttributeValue.fromS(id))))
                .hasItem()).isFalse();

        probe.failing.set(false);
        repo.create(id, new Member.Join("Nora", "nora@example.org", "gold"));
        // a process whose KMS is down cannot read the member: a failure, never a placeholder
        KmsProbe down = new KmsProbe();
        down.failing.set(true);
        var cold = members(events(), keys(table, down).build());
        assertThatThrownBy(() -> cold.get(id)).isInstanceOf(KeyServiceUnavailableException.class);
        assertThatThrownBy(() -> keys(table, down).build().isForgotten(id))
                .isInstanceOf(KeyServiceUnavailableException.class);
    }

    @Test
    void a_warm_process_works_through_a_kms_outage_until_its_cache_period_ends() {
        String table = newKeysTable();
        KmsProbe probe = new KmsProbe();
        MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
        DynamoDbKmsSubjectKeys keys = keys(table, probe).clock(clock).build();
        byte[] aad = "w".getBytes(StandardCharsets.UTF_8);
        byte[] first = keys.encrypt("warm-1", "one".getBytes(StandardCharsets.UTF_8), aad);
        probe.failing.set(true);

        // the key-encryption key is cached: a new subject's key is made, sealed and stored without KMS
        byte[] second = keys.encrypt("warm-2", "two".getBytes(StandardCharsets.UTF_8), aad);
        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("subject", AttributeValue.fromS("warm-2"))))
                .item()).containsKey("sealed");
        assertThat(keys.decrypt("warm-2", second, aad)).hasValueSatisfying(p -> assertThat(p).asString()
                .isEqualTo("two"));

        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> keys.decrypt("warm-1", first, aad)).isInstanceOf(KeyServiceUnavailableException.class);
        assertThatThrownBy(() -> keys.encrypt("warm-3", new byte[] {3}, aad))
                .isInstanceOf(KeyServiceUnavailableException.class);
        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("subject", AttributeValue.fromS("warm-3"))))
                .hasItem()).isFalse();
    }

    @Test
    void a_missing_key_encryption_key_fails_the_reads_of_sealed_keys_and_is_not_made_again_by_them() {
        String table = newKeysTable();
        byte[] aad = "l".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = keys(table, new KmsProbe()).build().encrypt("lost-1", "x".getBytes(StandardCharsets.UTF_8),
                aad);
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of("subject",
                AttributeValue.fromS("$nosqles:key-encryption-key:1"))));

        KmsProbe probe = new KmsProbe();
        DynamoDbKmsSubjectKeys elsewhere = keys(table, probe).build();
        assertThatThrownBy(() -> elsewhere.decrypt("lost-1", sealed, aad))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no key-encryption key")
                .hasMessageNotContaining("lost-1");
        // nothing written: a restore of the item opens the sealed keys again
        assertThat(probe.total()).isZero();
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isEqualTo(1);
    }

    @Test
    void a_sealed_key_wrongly_expected_new_while_the_key_encryption_key_is_missing_fails_and_writes_nothing() {
        String table = newKeysTable();
        byte[] aad = "l".getBytes(StandardCharsets.UTF_8);
        keys(table, new KmsProbe()).build().encrypt("lost-2", "x".getBytes(StandardCharsets.UTF_8), aad);
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of("subject",
                AttributeValue.fromS("$nosqles:key-encryption-key:1"))));

        KmsProbe probe = new KmsProbe();
        DynamoDbKmsSubjectKeys elsewhere = keys(table, probe).build();
        assertThatThrownBy(() -> elsewhere.encryptForNewSubject("lost-2", "y".getBytes(StandardCharsets.UTF_8), aad))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no key-encryption key");
        // no new key-encryption key: a restore of the item opens the sealed key again
        assertThat(probe.total()).isZero();
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isEqualTo(1);

    }

    @Test
    void the_first_subject_of_a_table_expected_new_creates_the_key_encryption_key_as_encrypt_does() {
        String table = newKeysTable();
        KmsProbe probe = new KmsProbe();
        byte[] aad = "f".getBytes(StandardCharsets.UTF_8);

        byte[] sealed = keys(table, probe).build().encryptForNewSubject("first", "x".getBytes(StandardCharsets.UTF_8),
                aad);

        assertThat(probe.calls.get("GenerateDataKey").get()).isEqualTo(1);
        assertThat(probe.total()).isEqualTo(1);
        assertThat(process(table).decrypt("first", sealed, aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("x"));
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isEqualTo(2);
    }

    @Test
    void a_keys_table_that_cannot_be_reached_is_a_typed_failure_too() {
        DynamoDbKmsSubjectKeys keys = keys("pd-keys-missing-" + UUID.randomUUID(), new KmsProbe()).build();
        byte[] aad = "t".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> keys.encrypt("t1", new byte[] {1}, aad))
                .isInstanceOf(KeyServiceUnavailableException.class);
        assertThatThrownBy(() -> keys.decrypt("t1", new byte[40], aad))
                .isInstanceOf(KeyServiceUnavailableException.class);
        assertThatThrownBy(() -> keys.forget("t1")).isInstanceOf(KeyServiceUnavailableException.class);
    }

    @Test
    void the_cache_period_a_forget_may_take_to_reach_other_processes_is_the_configured_one() {
        String table = newKeysTable();
        assertThat(keys(table, new KmsProbe()).build().cacheTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(keys(table, new KmsProbe()).cacheTtl(Duration.ofSeconds(42)).build().cacheTtl())
                .isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void a_thousand_commands_on_ten_subjects_cost_one_kms_call_per_cache_period() {
        String table = newKeysTable();
        KmsProbe probe = new KmsProbe();
        MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
        DynamoDbKmsSubjectKeys keys = keys(table, probe).cacheTtl(Duration.ofMinutes(5)).clock(clock).build();
        // the events in memory: what is counted here is KMS
        var repo = AggregateRepository.builder(new Member()).eventStore(new InMemoryEventStore()).subjectKeys(keys)
                .build();
        for (int s = 0; s < 10; s++) {
            repo.create("s" + s, new Member.Join("Name " + s, s + "@example.org", "gold"));
        }
        for (int i = 10; i < 1000; i++) {
            repo.update("s" + (i % 10), new Member.Rename("Name " + i));
        }
        // the key-encryption key generated once; the ten subjects' keys made and sealed without KMS
        assertThat(probe.calls.get("GenerateDataKey").get()).isEqualTo(1);
        assertThat(probe.total()).isEqualTo(1);
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isEqualTo(11);

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        for (int i = 0; i < 1000; i++) {
            repo.update("s" + (i % 10), new Member.Rename("Name " + i));
        }
        // the next period: the key-encryption key unwrapped once more, the subjects' keys opened with it
        assertThat(probe.calls.get("Decrypt").get()).isEqualTo(1);
        assertThat(probe.total()).isEqualTo(2);
    }

    @Test
    void the_cache_is_bounded_and_an_evicted_key_is_read_and_opened_again_without_kms() {
        String table = newKeysTable();
        KmsProbe probe = new KmsProbe();
        DynamoDbKmsSubjectKeys keys = keys(table, probe).cacheSize(2).build();
        byte[] aad = "a".getBytes(StandardCharsets.UTF_8);
        byte[] first = keys.encrypt("b1", "x".getBytes(StandardCharsets.UTF_8), aad);
        keys.encrypt("b2", "x".getBytes(StandardCharsets.UTF_8), aad);
        keys.encrypt("b3", "x".getBytes(StandardCharsets.UTF_8), aad);
        assertThat(keys.cachedSubjects()).isEqualTo(2);
        assertThat(probe.total()).isEqualTo(1);

        assertThat(keys.decrypt("b1", first, aad)).hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("x"));
        assertThat(probe.total()).isEqualTo(1);
        assertThat(keys.cachedSubjects()).isEqualTo(2);
    }

    @Test
    void a_forget_elsewhere_takes_effect_here_within_the_cache_ttl() {
        String table = newKeysTable();
        MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
        DynamoDbKmsSubjectKeys here = keys(table, new KmsProbe()).clock(clock).build();
        DynamoDbKmsSubjectKeys there = keys(table, new KmsProbe()).clock(clock).build();
        byte[] aad = "f".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = here.encrypt("ttl-1", "secret".getBytes(StandardCharsets.UTF_8), aad);

        there.forget("ttl-1");
        assertThat(here.decrypt("ttl-1", sealed, aad)).isPresent(); // cached: the window the API's 202 announces

        clock.advance(Duration.ofMinutes(5));
        assertThat(here.decrypt("ttl-1", sealed, aad)).isEmpty();
        assertThat(here.isForgotten("ttl-1")).isTrue();
        assertThatThrownBy(() -> here.encrypt("ttl-1", new byte[1], aad)).isInstanceOf(SubjectForgottenException.class);
    }

    @Test
    void two_processes_creating_the_key_encryption_key_at_once_agree_on_the_winners_key() {
        String table = newKeysTable();
        KmsProbe probeB = new KmsProbe();
        DynamoDbKmsSubjectKeys a = keys(table, new KmsProbe()).build();
        byte[] aad = "r".getBytes(StandardCharsets.UTF_8);
        AtomicReference<byte[]> fromA = new AtomicReference<>();
        // B has generated the key-encryption key and is about to store it: A creates its own (and a subject's key
        // sealed with it) first
        DynamoDbKmsSubjectKeys b = racing(table, probeB, "wrapped",
                () -> fromA.set(a.encrypt("race-1", "from a".getBytes(StandardCharsets.UTF_8), aad)));

        byte[] fromB = b.encrypt("race-1", "from b".getBytes(StandardCharsets.UTF_8), aad);

        assertThat(fromA.get()).isNotNull();
        assertThat(a.decrypt("race-1", fromB, aad)).hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("from b"));
        assertThat(b.decrypt("race-1", fromA.get(), aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("from a"));
        // B generated a key-encryption key that lost, then unwrapped the winner's
        assertThat(probeB.calls.get("GenerateDataKey").get()).isEqualTo(1);
        assertThat(probeB.calls.get("Decrypt").get()).isEqualTo(1);
        assertThat(dynamo.scan(s -> s.tableName(table)).count()).isEqualTo(2);
    }

    @Test
    void two_processes_creating_one_subjects_key_at_once_agree_on_the_winners_key() {
        String table = newKeysTable();
        KmsProbe probeB = new KmsProbe();
        DynamoDbKmsSubjectKeys a = keys(table, new KmsProbe()).build();
        byte[] aad = "r".getBytes(StandardCharsets.UTF_8);
        a.encrypt("someone-else", new byte[] {1}, aad); // the key-encryption key exists
        AtomicReference<byte[]> fromA = new AtomicReference<>();
        // B has made the subject's key and is about to store it: A creates and stores its own first
        DynamoDbKmsSubjectKeys b = racing(table, probeB, "sealed",
                () -> fromA.set(a.encrypt("race-2", "from a".getBytes(StandardCharsets.UTF_8), aad)));

        byte[] fromB = b.encrypt("race-2", "from b".getBytes(StandardCharsets.UTF_8), aad);

        assertThat(a.decrypt("race-2", fromB, aad)).hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("from b"));
        assertThat(b.decrypt("race-2", fromA.get(), aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("from a"));
        // B unwrapped the key-encryption key once, and opened the winner's key with it
        assertThat(probeB.calls.get("Decrypt").get()).isEqualTo(1);
        assertThat(probeB.total()).isEqualTo(1);
        assertThat(dynamo.scan(s -> s.tableName(table)).count()).isEqualTo(3);
    }

    /** DynamoDB requests (attempts, the SDK's retries included) by operation name. */
    static final class DynamoProbe implements ExecutionInterceptor {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            calls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                    k -> new AtomicInteger()).incrementAndGet();
        }

        int of(String operation) {
            AtomicInteger n = calls.get(operation);
            return n == null ? 0 : n.get();
        }
    }

    /** Keys on the table through a client with these interceptors: a process of its own (an empty cache). */
    private static DynamoDbKmsSubjectKeys process(String table, ExecutionInterceptor... interceptors) {
        DynamoDbClient client = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> java.util.Arrays.stream(interceptors).forEach(o::addExecutionInterceptor))
                .build();
        return DynamoDbKmsSubjectKeys.builder().dynamoDb(client).tableName(table).kms(kms(new KmsProbe()))
                .kmsKeyId(keyId).build();
    }

    @Test
    void a_subject_expected_new_has_its_key_put_without_a_read_first() {
        String table = newKeysTable();
        byte[] aad = "name".getBytes(StandardCharsets.UTF_8);
        process(table).encrypt("someone-else", new byte[] {1}, aad); // the key-encryption key exists
        DynamoProbe expectingNew = new DynamoProbe();
        DynamoProbe reading = new DynamoProbe();

        byte[] sealed = process(table, expectingNew).encryptForNewSubject("new-1", bytes("Ann"), aad);
        process(table, reading).encrypt("new-2", bytes("Bob"), aad);

        // the key-encryption key read, the subject's key put: no read of the subject's item
        assertThat(expectingNew.calls).containsOnlyKeys("GetItem", "PutItem");
        assertThat(expectingNew.of("GetItem")).isEqualTo(1);
        assertThat(expectingNew.of("PutItem")).isEqualTo(1);
        // encrypt reads the subject's item first: one read more
        assertThat(reading.of("GetItem")).isEqualTo(2);
        assertThat(reading.of("PutItem")).isEqualTo(1);
        assertThat(process(table).decrypt("new-1", sealed, aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Ann"));
    }

    @Test
    void a_process_wrongly_expecting_a_new_subject_takes_the_stored_key_from_its_failed_put_without_a_read() {
        String table = newKeysTable();
        byte[] aad = "name".getBytes(StandardCharsets.UTF_8);
        byte[] before = process(table).encrypt("known", bytes("Ann"), aad);
        DynamoProbe probe = new DynamoProbe();
        DynamoDbKmsSubjectKeys cold = process(table, probe);

        byte[] after = cold.encryptForNewSubject("known", bytes("Bob"), aad);

        assertThat(cold.decrypt("known", before, aad)).hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Ann"));
        assertThat(process(table).decrypt("known", after, aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Bob"));
        // the failed put returned the stored key: only the key-encryption key was read
        assertThat(probe.of("GetItem")).isEqualTo(1);
        assertThat(probe.of("PutItem")).isEqualTo(1);
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isEqualTo(2);
    }

    @Test
    void a_subject_forgotten_in_another_process_is_refused_to_one_expecting_it_new_and_its_tombstone_stays() {
        String table = newKeysTable();
        byte[] aad = "name".getBytes(StandardCharsets.UTF_8);
        DynamoDbKmsSubjectKeys first = process(table);
        first.encrypt("gone", bytes("Ann"), aad);
        first.forget("gone");

        assertThatThrownBy(() -> process(table).encryptForNewSubject("gone", bytes("Ann"), aad))
                .isInstanceOf(SubjectForgottenException.class);

        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("subject", AttributeValue.fromS("gone")))).item();
        assertThat(item).containsKey("forgottenAt").doesNotContainKey("sealed");
    }

    @Test
    void a_new_subjects_put_retried_by_the_sdk_after_it_landed_keeps_the_key_it_put() {
        String table = newKeysTable();
        byte[] aad = "name".getBytes(StandardCharsets.UTF_8);
        process(table).encrypt("someone-else", new byte[] {1}, aad);
        // the put of the subject's key lands, its answer is lost, the SDK sends it again: the condition fails on
        // the item the first attempt wrote
        dev.nosqles.testsupport.LostResponseInterceptor lost = dev.nosqles.testsupport.LostResponseInterceptor
                .ofFirst(1, r -> r instanceof PutItemRequest put && put.item().containsKey("sealed"));
        DynamoProbe probe = new DynamoProbe();
        DynamoDbKmsSubjectKeys keys = process(table, lost, probe);

        byte[] sealed = keys.encryptForNewSubject("retried", bytes("Ann"), aad);
        byte[] again = keys.encrypt("retried", bytes("Ann B."), aad);

        assertThat(lost.injected()).isEqualTo(1);
        assertThat(probe.of("PutItem")).isEqualTo(2);
        DynamoDbKmsSubjectKeys elsewhere = process(table);
        assertThat(elsewhere.decrypt("retried", sealed, aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Ann"));
        assertThat(elsewhere.decrypt("retried", again, aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Ann B."));
    }

    @Test
    void the_commit_that_creates_an_aggregate_puts_its_subjects_key_without_reading_and_later_commits_read_it() {
        String table = newKeysTable();
        process(table).encrypt("someone-else", new byte[] {1}, bytes("x")); // the key-encryption key exists
        InMemoryEventStore store = new InMemoryEventStore();
        DynamoProbe creating = new DynamoProbe();
        DynamoProbe updating = new DynamoProbe();

        AggregateRepository.builder(new Member()).eventStore(store).subjectKeys(process(table, creating)).build()
                .create("m-1", new Member.Join("Ann", "ann@example.org", "gold"));
        var later = AggregateRepository.builder(new Member()).eventStore(store).subjectKeys(process(table, updating))
                .build();
        later.update("m-1", new Member.Rename("Ann B."));

        // create: the key-encryption key read, the subject's key put (one put for both personal fields)
        assertThat(creating.of("GetItem")).isEqualTo(1);
        assertThat(creating.of("PutItem")).isEqualTo(1);
        // update, in a process of its own: the subject's key read (the events decrypted to fold), then opened
        assertThat(updating.of("GetItem")).isEqualTo(2);
        assertThat(updating.of("PutItem")).isZero();
        assertThat(later.find("m-1")).hasValueSatisfying(s -> assertThat(s.state().name()).isEqualTo("Ann B."));
    }

    @Test
    void a_prefetched_key_encryption_key_spares_the_first_new_subject_its_read_and_its_kms_call() {
        String table = newKeysTable();
        process(table).encrypt("someone-else", new byte[] {1}, bytes("x")); // the key-encryption key exists
        KmsProbe kms = new KmsProbe();
        DynamoProbe dynamoProbe = new DynamoProbe();
        DynamoDbClient client = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(dynamoProbe)).build();
        DynamoDbKmsSubjectKeys keys = DynamoDbKmsSubjectKeys.builder().dynamoDb(client).tableName(table)
                .kms(kms(kms)).kmsKeyId(keyId).build();

        assertThat(keys.prefetchKeyEncryptionKey()).isTrue();
        assertThat(kms.calls.get("Decrypt").get()).isEqualTo(1);
        assertThat(dynamoProbe.of("GetItem")).isEqualTo(1);

        byte[] sealed = keys.encryptForNewSubject("after-prefetch", bytes("Ann"), bytes("name"));

        // the first new subject: its key put, nothing read, no KMS call
        assertThat(kms.total()).isEqualTo(1);
        assertThat(dynamoProbe.of("GetItem")).isEqualTo(1);
        assertThat(dynamoProbe.of("PutItem")).isEqualTo(1);
        assertThat(process(table).decrypt("after-prefetch", sealed, bytes("name")))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("Ann"));
    }

    @Test
    void a_prefetch_creates_nothing_and_a_failed_one_is_left_to_the_first_use() {
        String table = newKeysTable();
        KmsProbe kms = new KmsProbe();
        DynamoDbKmsSubjectKeys keys = keys(table, kms).build();

        // no key-encryption key yet: nothing made, nothing written
        assertThat(keys.prefetchKeyEncryptionKey()).isFalse();
        assertThat(kms.total()).isZero();
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isZero();

        keys.encryptForNewSubject("first", bytes("Ann"), bytes("name"));
        KmsProbe failing = new KmsProbe();
        failing.failing.set(true);
        DynamoDbKmsSubjectKeys cold = keys(table, failing).build();
        // KMS unreachable: false, no exception; the first use meets the failure as a typed one
        assertThat(cold.prefetchKeyEncryptionKey()).isFalse();
        assertThatThrownBy(() -> cold.encryptForNewSubject("second", bytes("Bob"), bytes("name")))
                .isInstanceOf(KeyServiceUnavailableException.class);
        failing.failing.set(false);
        assertThat(cold.prefetchKeyEncryptionKey()).isTrue();
        assertThat(cold.encryptForNewSubject("second", bytes("Bob"), bytes("name"))).isNotEmpty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Keys whose first PutItem of an item holding {@code attribute} runs {@code first} just before it is sent. */
    private static DynamoDbKmsSubjectKeys racing(String table, KmsProbe probe, String attribute, Runnable first) {
        AtomicBoolean once = new AtomicBoolean();
        ExecutionInterceptor race = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                SdkRequest request = context.request();
                if (request instanceof PutItemRequest put && put.tableName().equals(table)
                        && put.item().containsKey(attribute) && once.compareAndSet(false, true)) {
                    first.run();
                }
            }
        };
        DynamoDbClient racing = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(race)).build();
        return DynamoDbKmsSubjectKeys.builder().dynamoDb(racing).tableName(table).kms(kms(probe)).kmsKeyId(keyId)
                .build();
    }

    @Test
    void a_subjects_key_wrapped_by_kms_itself_before_adr_0014_is_still_read() {
        String table = newKeysTable();
        KmsProbe probe = new KmsProbe();
        byte[] aad = "o".getBytes(StandardCharsets.UTF_8);
        byte[] oldKey;
        try (KmsClient kms = kms(new KmsProbe())) {
            var generated = kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256));
            oldKey = generated.plaintext().asByteArray();
            dynamo.putItem(b -> b.tableName(table).item(Map.of("subject", AttributeValue.fromS("old-1"),
                    "wrapped", AttributeValue.fromB(generated.ciphertextBlob()),
                    "kmsKeyId", AttributeValue.fromS(generated.keyId()),
                    "createdAt", AttributeValue.fromS("2026-01-01T00:00:00Z"))));
        }
        byte[] sealedBefore = Aead.encrypt(oldKey, "written long ago".getBytes(StandardCharsets.UTF_8), aad);
        DynamoDbKmsSubjectKeys keys = keys(table, probe).build();

        assertThat(keys.decrypt("old-1", sealedBefore, aad))
                .hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("written long ago"));
        byte[] sealedNow = keys.encrypt("old-1", "written now".getBytes(StandardCharsets.UTF_8), aad);
        assertThat(Aead.decrypt(oldKey, sealedNow, aad)).asString().isEqualTo("written now");
        // its own KMS unwrap, no key-encryption key made for it; the item is left as it is
        assertThat(probe.calls.get("Decrypt").get()).isEqualTo(1);
        assertThat(probe.total()).isEqualTo(1);
        assertThat(dynamo.scan(b -> b.tableName(table)).count()).isEqualTo(1);
        assertThat(keys.forget("old-1")).isEqualTo(SubjectKeys.ForgetOutcome.FORGOTTEN);
        assertThat(keys(table, new KmsProbe()).build().decrypt("old-1", sealedBefore, aad)).isEmpty();
    }

    @Test
    void a_sealed_key_copied_into_another_subjects_item_does_not_open() {
        String table = newKeysTable();
        DynamoDbKmsSubjectKeys keys = keys(table, new KmsProbe()).build();
        byte[] aad = "m".getBytes(StandardCharsets.UTF_8);
        byte[] mallorys = keys.encrypt("mallory", "m".getBytes(StandardCharsets.UTF_8), aad);
        keys.encrypt("victim", "v".getBytes(StandardCharsets.UTF_8), aad);
        Map<String, AttributeValue> victim = new java.util.HashMap<>(dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("subject", AttributeValue.fromS("victim")))).item());
        victim.put("subject", AttributeValue.fromS("mallory"));
        dynamo.putItem(b -> b.tableName(table).item(victim));

        DynamoDbKmsSubjectKeys elsewhere = keys(table, new KmsProbe()).build();
        assertThatThrownBy(() -> elsewhere.decrypt("mallory", mallorys, aad))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not authenticate")
                .hasMessageNotContaining("victim").hasMessageNotContaining("mallory");
    }

    @Test
    void a_subject_in_the_stores_own_namespace_is_refused() {
        DynamoDbKmsSubjectKeys keys = keys(newKeysTable(), new KmsProbe()).build();
        byte[] aad = "n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> keys.encrypt("$nosqles:key-encryption-key:1", new byte[] {1}, aad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> keys.forget("$nosqles:anything")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forgetting_one_subject_leaves_the_others_and_the_key_encryption_key() {
        String table = newKeysTable();
        DynamoDbKmsSubjectKeys keys = keys(table, new KmsProbe()).build();
        byte[] aad = "g".getBytes(StandardCharsets.UTF_8);
        byte[] ann = keys.encrypt("ann", "a".getBytes(StandardCharsets.UTF_8), aad);
        byte[] bob = keys.encrypt("bob", "b".getBytes(StandardCharsets.UTF_8), aad);

        keys.forget("ann");

        DynamoDbKmsSubjectKeys elsewhere = keys(table, new KmsProbe()).build();
        assertThat(elsewhere.decrypt("ann", ann, aad)).isEmpty();
        assertThat(elsewhere.decrypt("bob", bob, aad)).hasValueSatisfying(p -> assertThat(p).asString().isEqualTo("b"));
        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("subject", AttributeValue.fromS("ann"))))
                .item()).containsOnlyKeys("subject", "forgottenAt");
    }
}
