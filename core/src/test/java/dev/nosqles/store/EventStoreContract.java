package dev.nosqles.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link EventStore} must have. Each implementation's test extends this class; the
 * in-memory store and the DynamoDB store run the same cases.
 */
public abstract class EventStoreContract {
    protected final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    private EventStore store;

    /** A store on a fresh or shared backend that stamps commits with {@code clock}. */
    protected abstract EventStore createStore(MutableClock clock);

    @BeforeEach
    void setUpStore() {
        store = createStore(clock);
    }

    protected EventStore store() {
        return store;
    }

    protected static StreamId newStream() {
        return StreamId.of("Thing", UUID.randomUUID().toString());
    }

    protected static NewEvent event(String type, String json) {
        return new NewEvent(UUID.randomUUID(), type, 1, json);
    }

    protected static List<NewEvent> events(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> event("Happened", "{\"n\":" + i + "}")).toList();
    }

    @Test
    void an_appended_event_reads_back_with_its_whole_envelope() {
        StreamId stream = newStream();
        NewEvent e = new NewEvent(UUID.randomUUID(), "ThingCreated", 2, "{\"name\":\"Ünïcode ✓\",\"n\":1}");
        EventMetadata meta = new EventMetadata("corr-1", "cause-1", "msg-1", "alice");

        AppendResult result = store.append(stream, ExpectedVersion.noStream(), List.of(e), meta);

        assertThat(result.firstVersion()).isEqualTo(1);
        assertThat(result.lastVersion()).isEqualTo(1);
        StreamSlice slice = store.read(stream);
        assertThat(slice.events()).singleElement().satisfies(r -> {
            assertThat(r.eventId()).isEqualTo(e.eventId());
            assertThat(r.streamId()).isEqualTo(stream);
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.type()).isEqualTo("ThingCreated");
            assertThat(r.schemaVersion()).isEqualTo(2);
            assertThat(r.data()).isEqualTo(e.data());
            assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
            assertThat(r.metadata()).isEqualTo(meta);
        });
        assertThat(slice.reachedEnd()).isTrue();
        assertThat(slice.streamVersion()).isEqualTo(1);
    }

    @Test
    void a_multi_event_append_is_one_commit_with_contiguous_versions() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty());
        AppendResult second = store.append(stream, ExpectedVersion.exactly(2), events(3), EventMetadata.empty());

        assertThat(second.firstVersion()).isEqualTo(3);
        assertThat(second.lastVersion()).isEqualTo(5);
        assertThat(store.read(stream).events()).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void a_stale_expected_version_is_a_conflict_and_writes_nothing() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty());
        store.append(stream, ExpectedVersion.exactly(1), events(1), EventMetadata.empty());

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(1), events(1), EventMetadata.empty()))
                .isInstanceOfSatisfying(ConcurrencyConflictException.class, c -> {
                    assertThat(c.streamId()).isEqualTo(stream);
                    assertThat(c.expectedVersion()).isEqualTo(1);
                    assertThat(c.actualVersion()).isEqualTo(2);
                });
        assertThat(store.read(stream).events()).hasSize(2);
    }

    @Test
    void a_version_handed_out_by_the_store_is_a_stale_one_once_another_writer_appended() {
        StreamId stream = newStream();
        ExpectedVersion afterFirst = store.append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty())
                .nextExpectedVersion();
        store.append(stream, afterFirst, events(1), EventMetadata.empty());

        assertThatThrownBy(() -> store.append(stream, afterFirst, events(1), EventMetadata.empty()))
                .isInstanceOfSatisfying(ConcurrencyConflictException.class,
                        c -> assertThat(c.actualVersion()).isEqualTo(3));
    }

    @Test
    void a_conflict_carries_the_competing_commit_as_stored_and_the_version_to_append_after_it() {
        StreamId stream = newStream();
        ExpectedVersion afterFirst = store.append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty())
                .nextExpectedVersion();
        EventMetadata theirs = new EventMetadata("corr-b", "cause-b", "msg-b", "bob");
        List<NewEvent> competing = List.of(event("Happened", "{\"secret\":\"s3cr3t\"}"), event("Other", "{}"));
        clock.advance(Duration.ofSeconds(1));
        store.append(stream, afterFirst, competing, theirs);

        ConcurrencyConflictException conflict = catchConflict(() -> store.append(stream, afterFirst, events(1),
                EventMetadata.empty()));

        assertThat(conflict.expectedVersion()).isEqualTo(1);
        assertThat(conflict.competingCommit()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            RecordedEvent r = conflict.competingCommit().get(i);
            assertThat(r.eventId()).isEqualTo(competing.get(i).eventId());
            assertThat(r.streamId()).isEqualTo(stream);
            assertThat(r.version()).isEqualTo(2 + i);
            assertThat(r.type()).isEqualTo(competing.get(i).type());
            assertThat(r.data()).isEqualTo(competing.get(i).data());
            assertThat(r.metadata()).isEqualTo(theirs);
            assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:00:01Z"));
        }
        assertThat(conflict.competingCommit()).isEqualTo(store.read(stream, ReadRequest.from(2)).events());
        assertThat(conflict.getMessage()).doesNotContain("s3cr3t");
        // the version after it is one to append after, and a stale one once another writer appended
        ExpectedVersion after = conflict.afterCompetingCommit().orElseThrow();
        assertThat(after.version()).isEqualTo(3);
        AppendResult next = store.append(stream, after, events(1), EventMetadata.empty());
        assertThat(next.firstVersion()).isEqualTo(4);
        assertThat(catchConflict(() -> store.append(stream, after, events(1), EventMetadata.empty()))
                .competingCommit()).extracting(RecordedEvent::eventId)
                .containsExactly(next.events().get(0).eventId());
    }

    @Test
    void a_conflict_at_a_version_no_commit_starts_after_carries_no_competing_commit() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());

        for (long expected : new long[] {1, 2, 7}) {
            ConcurrencyConflictException conflict = catchConflict(() -> store.append(stream,
                    ExpectedVersion.exactly(expected), events(1), EventMetadata.empty()));
            assertThat(conflict.competingCommit()).isEmpty();
            assertThat(conflict.afterCompetingCommit()).isEmpty();
        }
    }

    private static ConcurrencyConflictException catchConflict(Runnable append) {
        try {
            append.run();
        } catch (ConcurrencyConflictException conflict) {
            return conflict;
        }
        throw new AssertionError("expected a concurrency conflict");
    }

    @Test
    void creating_a_stream_that_exists_is_a_conflict() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty()))
                .isInstanceOfSatisfying(StreamAlreadyExistsException.class, c -> {
                    assertThat(c.expectedVersion()).isZero();
                    assertThat(c.actualVersion()).isEqualTo(3);
                    // the stream's first commit comes with it
                    assertThat(c.competingCommit()).isEqualTo(store.read(stream).events());
                    assertThat(c.afterCompetingCommit()).map(ExpectedVersion::version).contains(3L);
                });
    }

    @Test
    void a_create_of_a_stream_that_moved_on_gets_its_first_commit_alone_with_its_metadata() {
        // what a repository answers a redelivered create from, without a read (issue 14)
        StreamId stream = newStream();
        AppendResult first = store.append(stream, ExpectedVersion.noStream(), events(2),
                EventMetadata.empty().withMessageId("create-1").withPrincipal("ann"));
        store.append(stream, first.nextExpectedVersion(), events(3), EventMetadata.empty().withMessageId("later"));

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), events(1),
                EventMetadata.empty().withMessageId("create-1")))
                .isInstanceOfSatisfying(StreamAlreadyExistsException.class, c -> {
                    assertThat(c.competingCommit()).isEqualTo(first.events());
                    assertThat(c.competingCommit()).extracting(e -> e.metadata().messageId())
                            .containsExactly("create-1", "create-1");
                    assertThat(c.competingCommit().get(0).metadata().principal()).isEqualTo("ann");
                    assertThat(c.afterCompetingCommit()).map(ExpectedVersion::version).contains(2L);
                });
        assertThat(store.read(stream).events()).hasSize(5);
    }

    @Test
    void a_create_retried_after_its_response_was_lost_succeeds_and_stores_one_commit() {
        // given a create that was written, but whose answer never reached the writer
        StreamId stream = newStream();
        List<NewEvent> created = events(2);
        AppendResult first = store.append(stream, ExpectedVersion.noStream(), created, EventMetadata.empty());

        // when the writer retries the same append (same events, same expected version)
        AppendResult retried = store.append(stream, ExpectedVersion.noStream(), created, EventMetadata.empty());

        // then it is the success it was, not StreamAlreadyExists, and the stream holds the commit once
        assertThat(retried.firstVersion()).isEqualTo(1);
        assertThat(retried.lastVersion()).isEqualTo(2);
        assertThat(retried.timestamp()).isEqualTo(first.timestamp());
        assertThat(retried.events()).isEqualTo(first.events());
        assertThat(retried.nextExpectedVersion()).isEqualTo(first.nextExpectedVersion());
        assertThat(store.read(stream).events()).extracting(RecordedEvent::eventId)
                .containsExactly(created.get(0).eventId(), created.get(1).eventId());
    }

    @Test
    void an_update_retried_after_its_response_was_lost_succeeds_and_stores_one_commit() {
        StreamId stream = newStream();
        ExpectedVersion v = store.append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty())
                .nextExpectedVersion();
        List<NewEvent> withdrawn = List.of(event("Withdrawn", "{\"amount\":30}"));
        store.append(stream, v, withdrawn, EventMetadata.empty());
        // another writer appended after our commit before the retry arrived
        store.append(stream, ExpectedVersion.exactly(2), events(1), EventMetadata.empty());

        for (ExpectedVersion expected : List.of(v, ExpectedVersion.exactly(1))) {
            AppendResult retried = store.append(stream, expected, withdrawn, EventMetadata.empty());
            assertThat(retried.firstVersion()).isEqualTo(2);
            assertThat(retried.lastVersion()).isEqualTo(2);
            assertThat(retried.events()).extracting(RecordedEvent::eventId)
                    .containsExactly(withdrawn.get(0).eventId());
        }
        assertThat(store.read(stream).events()).extracting(RecordedEvent::type)
                .containsExactly("Happened", "Withdrawn", "Happened");
    }

    @Test
    void a_different_commit_at_the_expected_position_is_still_a_conflict() {
        StreamId stream = newStream();
        List<NewEvent> ours = events(2);
        store.append(stream, ExpectedVersion.noStream(), ours, EventMetadata.empty());
        // the same first event (the commit id) with other events after it is not our commit
        List<NewEvent> sameFirst = List.of(ours.get(0), event("Other", "{}"));
        List<NewEvent> fewer = List.of(ours.get(0));

        for (List<NewEvent> other : List.of(events(2), sameFirst, fewer)) {
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), other, EventMetadata.empty()))
                    .isInstanceOf(StreamAlreadyExistsException.class);
        }
        assertThat(store.read(stream).events()).hasSize(2);
    }

    @Test
    void an_expected_version_inside_an_earlier_multi_event_commit_is_a_conflict() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        store.append(stream, ExpectedVersion.exactly(3), events(1), EventMetadata.empty());

        for (long inside : new long[] {1, 2}) {
            for (int n : new int[] {1, 2, 3}) {
                assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(inside), events(n),
                        EventMetadata.empty()))
                        .isInstanceOfSatisfying(ConcurrencyConflictException.class, c -> {
                            assertThat(c.expectedVersion()).isEqualTo(inside);
                            assertThat(c.actualVersion()).isEqualTo(4);
                        });
            }
        }
        assertThat(store.read(stream).events()).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void an_expected_version_beyond_the_end_is_a_conflict() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty());

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(7), events(1), EventMetadata.empty()))
                .isInstanceOfSatisfying(ConcurrencyConflictException.class, c -> {
                    assertThat(c.expectedVersion()).isEqualTo(7);
                    assertThat(c.actualVersion()).isEqualTo(2);
                });
        assertThatThrownBy(() -> store.append(newStream(), ExpectedVersion.exactly(1), events(1), EventMetadata.empty()))
                .isInstanceOfSatisfying(ConcurrencyConflictException.class,
                        c -> assertThat(c.actualVersion()).isZero());
        assertThat(store.read(stream).events()).hasSize(2);
    }

    @Test
    void concurrent_writers_at_the_same_version_exactly_one_wins() throws Exception {
        StreamId stream = newStream();
        ExpectedVersion v = store.append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty())
                .nextExpectedVersion();
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            results.add(pool.submit(() -> {
                start.await();
                try {
                    store.append(stream, v, events(2), EventMetadata.empty());
                    return true;
                } catch (ConcurrencyConflictException e) {
                    return false;
                }
            }));
        }
        start.countDown();
        int wins = 0;
        for (Future<Boolean> f : results) {
            wins += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(wins).isEqualTo(1);
        assertThat(store.read(stream).events()).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
    }

    @Test
    void malformed_appends_are_rejected_and_write_nothing() {
        StreamId stream = newStream();
        UUID id = UUID.randomUUID();
        List<List<NewEvent>> bad = List.of(
                List.of(),
                List.of(new NewEvent(id, "A", 1, "{}"), new NewEvent(id, "B", 1, "{}")),
                List.of(new NewEvent(UUID.randomUUID(), "com.example.Thing$Created!", 1, "{}")),
                List.of(new NewEvent(UUID.randomUUID(), "Created", 0, "{}")),
                List.of(new NewEvent(UUID.randomUUID(), "Created", 1, "{not json")),
                List.of(new NewEvent(UUID.randomUUID(), "Created", 1, "[1,2]")),
                List.of(new NewEvent(UUID.randomUUID(), "Created", 1, "{} {}")));
        for (List<NewEvent> events : bad) {
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), events, EventMetadata.empty()))
                    .isInstanceOfSatisfying(InvalidAppendException.class,
                            e -> assertThat(e.streamId()).isEqualTo(stream));
        }
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), events(1),
                EventMetadata.empty().withPrincipal("")))
                .isInstanceOf(InvalidAppendException.class);
        assertThat(store.read(stream).events()).isEmpty();
    }

    @Test
    void malformed_stream_ids_are_rejected() {
        assertThatThrownBy(() -> StreamId.of("Order", "has space")).isInstanceOf(InvalidStreamIdException.class);
        assertThatThrownBy(() -> StreamId.of("Or-der", "1")).isInstanceOf(InvalidStreamIdException.class);
        assertThatThrownBy(() -> StreamId.of("Order", "")).isInstanceOf(InvalidStreamIdException.class);
        assertThatThrownBy(() -> StreamId.of("Order", "x".repeat(129))).isInstanceOf(InvalidStreamIdException.class);
        assertThatThrownBy(() -> StreamId.parse("nodash")).isInstanceOf(InvalidStreamIdException.class);
        assertThat(StreamId.parse("Order-1-2")).isEqualTo(StreamId.of("Order", "1-2"));
    }

    @Test
    void a_commit_larger_than_one_item_is_rejected_and_writes_nothing() {
        StreamId stream = newStream();
        String big = "{\"blob\":\"" + "x".repeat(210_000) + "\"}";
        List<NewEvent> tooLarge = List.of(event("Big", big), event("Big", big));

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), tooLarge, EventMetadata.empty()))
                .isInstanceOfSatisfying(CommitTooLargeException.class, e -> {
                    assertThat(e.streamId()).isEqualTo(stream);
                    assertThat(e.itemBytes()).isGreaterThan(420_000);
                    assertThat(e.limitBytes()).isEqualTo(409_600);
                    assertThat(e.getMessage()).doesNotContain("xxxx");
                });
        assertThat(store.read(stream).events()).isEmpty();
        store.append(stream, ExpectedVersion.noStream(), List.of(event("Big", big)), EventMetadata.empty());
        assertThat(store.read(stream).events()).hasSize(1);
    }

    @Test
    void reads_from_and_up_to_a_version_inside_a_commit() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        store.append(stream, ExpectedVersion.exactly(3), events(3), EventMetadata.empty());
        store.append(stream, ExpectedVersion.exactly(6), events(1), EventMetadata.empty());

        assertThat(store.read(stream, ReadRequest.from(2)).events()).extracting(RecordedEvent::version)
                .containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(store.read(stream, ReadRequest.from(5)).events()).extracting(RecordedEvent::version)
                .containsExactly(5L, 6L, 7L);
        assertThat(store.read(stream, ReadRequest.upTo(4)).events()).extracting(RecordedEvent::version)
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(store.read(stream, new ReadRequest(2, 5, null)).events()).extracting(RecordedEvent::version)
                .containsExactly(2L, 3L, 4L, 5L);
        assertThat(store.read(stream, ReadRequest.from(8)).events()).isEmpty();
        StreamSlice fromEnd = store.read(stream, ReadRequest.from(8));
        assertThat(fromEnd.reachedEnd()).isTrue();
        assertThat(fromEnd.streamVersion()).isEqualTo(7);
        assertThat(store.read(stream, ReadRequest.upTo(4)).reachedEnd()).isFalse();
    }

    @Test
    void reads_from_a_version_return_the_later_events_and_the_stream_version_as_read() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty());
        store.append(stream, ExpectedVersion.exactly(2), events(2), EventMetadata.empty());

        StreamSlice after = store.read(stream, ReadRequest.from(3));
        assertThat(after.events()).extracting(RecordedEvent::version).containsExactly(3L, 4L);
        assertThat(after.streamVersion()).isEqualTo(4);
        assertThat(after.expectedVersion().version()).isEqualTo(4);
        for (long from : new long[] {4, 5, 9}) {
            StreamSlice atEnd = store.read(stream, ReadRequest.from(from));
            assertThat(atEnd.events()).extracting(RecordedEvent::version).allMatch(v -> v >= from);
            assertThat(atEnd.streamVersion()).isEqualTo(4);
            assertThat(atEnd.expectedVersion().version()).isEqualTo(4);
        }
    }

    @Test
    void a_version_a_caller_names_never_becomes_a_trusted_boundary_so_the_stream_cannot_fork() {
        // given one commit holding versions 1..3
        StreamId stream = newStream();
        AppendResult created = store.append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());

        // when a caller's number (2, inside the commit) reaches the store by any public path
        List<ExpectedVersion> fromCallers = List.of(
                ExpectedVersion.exactly(2),
                new StreamSlice(stream, List.of(), true, 2).expectedVersion(),
                new AppendResult(stream, 1, 2, created.timestamp(), List.of()).nextExpectedVersion());

        // then appending after it is a conflict, never a second version 3
        for (ExpectedVersion expected : fromCallers) {
            assertThatThrownBy(() -> store.append(stream, expected, events(1), EventMetadata.empty()))
                    .isInstanceOfSatisfying(ConcurrencyConflictException.class,
                            c -> assertThat(c.actualVersion()).isEqualTo(3));
        }
        // and a read from the caller's number + 1 hands out only the version it read
        StreamSlice read = store.read(stream, ReadRequest.from(3));
        assertThat(read.expectedVersion().version()).isEqualTo(3);
        store.append(stream, read.expectedVersion(), events(1), EventMetadata.empty());
        assertThat(store.read(stream).events()).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void a_version_verified_on_one_stream_is_not_trusted_on_another_so_neither_can_fork() {
        // given stream A ending at 3, and stream B with commits 1..2 and 3..5
        StreamId a = newStream();
        StreamId b = newStream();
        AppendResult endOfA = store.append(a, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        ExpectedVersion afterTwo = store.append(b, ExpectedVersion.noStream(), events(2), EventMetadata.empty())
                .nextExpectedVersion();
        store.append(b, afterTwo, events(3), EventMetadata.empty());

        // when versions verified on A are used to append to B (3 is inside B's commit 3..5)
        List<ExpectedVersion> verifiedOnA = List.of(endOfA.nextExpectedVersion(), store.read(a).expectedVersion());

        // then each append is a conflict, never a second version 4
        for (ExpectedVersion expected : verifiedOnA) {
            assertThatThrownBy(() -> store.append(b, expected, events(1), EventMetadata.empty()))
                    .isInstanceOfSatisfying(ConcurrencyConflictException.class,
                            c -> assertThat(c.actualVersion()).isEqualTo(5));
        }
        assertThat(store.read(b).events()).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void commit_timestamps_never_go_backwards_within_a_stream_when_a_writers_clock_does() {
        StreamId stream = newStream();
        // writer A, whose clock is ahead, creates the stream
        ExpectedVersion v = store.append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty())
                .nextExpectedVersion();
        // writers B, C and D have clocks 5, 6 and 7 minutes behind; they append after a version handed out by an
        // append, by a read, and after a caller's number
        clock.advance(Duration.ofMinutes(-5));
        store.append(stream, v, events(2), EventMetadata.empty());
        clock.advance(Duration.ofMinutes(-1));
        store.append(stream, store.read(stream).expectedVersion(), events(1), EventMetadata.empty());
        clock.advance(Duration.ofMinutes(-1));
        store.append(stream, ExpectedVersion.exactly(4), events(1), EventMetadata.empty());
        // and a writer whose clock is right again
        clock.advance(Duration.ofMinutes(10));
        AppendResult last = store.append(stream, ExpectedVersion.exactly(5), events(1), EventMetadata.empty());

        List<RecordedEvent> all = store.read(stream).events();
        assertThat(all).extracting(RecordedEvent::timestamp).isSortedAccordingTo(Instant::compareTo);
        assertThat(last.timestamp()).isEqualTo(clock.instant());
        for (RecordedEvent e : all) {
            // as of any commit's instant, the stream reads as every version up to that commit
            assertThat(store.read(stream, ReadRequest.asOf(e.timestamp())).events())
                    .extracting(RecordedEvent::version).contains(e.version())
                    .containsExactlyElementsOf(all.stream().map(RecordedEvent::version)
                            .filter(x -> !all.get((int) (x - 1)).timestamp().isAfter(e.timestamp())).toList());
        }
    }

    @Test
    void reads_as_of_an_instant_see_only_the_commits_written_by_then() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty());
        Instant afterFirst = clock.instant();
        clock.advance(Duration.ofMinutes(5));
        store.append(stream, ExpectedVersion.exactly(2), events(1), EventMetadata.empty());

        assertThat(store.read(stream, ReadRequest.asOf(afterFirst)).events()).extracting(RecordedEvent::version)
                .containsExactly(1L, 2L);
        assertThat(store.read(stream, ReadRequest.asOf(afterFirst.minusSeconds(1))).events()).isEmpty();
        assertThat(store.read(stream, ReadRequest.asOf(clock.instant())).events()).hasSize(3);
    }

    @Test
    void an_unknown_stream_reads_as_empty_and_can_be_created_after_the_read() {
        StreamId stream = newStream();
        StreamSlice slice = store.read(stream);
        assertThat(slice.events()).isEmpty();
        assertThat(slice.streamVersion()).isZero();
        assertThat(slice.expectedVersion()).isEqualTo(ExpectedVersion.noStream());
        store.append(stream, slice.expectedVersion(), events(1), EventMetadata.empty());
        assertThat(store.read(stream).events()).hasSize(1);
    }

    @Test
    void a_version_from_a_read_appends_after_the_end() {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        StreamSlice slice = store.read(stream);
        AppendResult next = store.append(stream, slice.expectedVersion(), events(1), EventMetadata.empty());
        assertThat(next.firstVersion()).isEqualTo(4);
        assertThatThrownBy(() -> store.read(stream, ReadRequest.upTo(2)).expectedVersion())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void streams_are_independent() {
        StreamId a = newStream();
        StreamId b = newStream();
        store.append(a, ExpectedVersion.noStream(), events(2), EventMetadata.empty());
        store.append(b, ExpectedVersion.noStream(), events(1), EventMetadata.empty());
        assertThat(store.read(a).events()).hasSize(2).allSatisfy(e -> assertThat(e.streamId()).isEqualTo(a));
        assertThat(store.read(b).events()).hasSize(1);
    }

    @Test
    void a_stream_larger_than_one_query_page_reads_back_whole() {
        StreamId stream = newStream();
        String chunk = "{\"blob\":\"" + "y".repeat(100_000) + "\"}";
        ExpectedVersion v = ExpectedVersion.noStream();
        for (int i = 0; i < 12; i++) {
            v = store.append(stream, v, List.of(event("Chunk", chunk)), EventMetadata.empty()).nextExpectedVersion();
        }
        List<Long> versions = new ArrayList<>(store.read(stream).events().stream().map(RecordedEvent::version).toList());
        assertThat(versions).hasSize(12);
        List<Long> sorted = new ArrayList<>(versions);
        Collections.sort(sorted);
        assertThat(versions).isEqualTo(sorted).startsWith(1L).endsWith(12L);
    }

    @Test
    void read_requests_out_of_range_are_rejected() {
        assertThatThrownBy(() -> ReadRequest.from(0)).isInstanceOf(InvalidReadException.class);
        assertThatThrownBy(() -> new ReadRequest(5, 2, null)).isInstanceOf(InvalidReadException.class);
        assertThatThrownBy(() -> ExpectedVersion.exactly(-1)).isInstanceOf(InvalidAppendException.class);
    }
}
