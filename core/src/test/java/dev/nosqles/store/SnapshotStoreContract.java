package dev.nosqles.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link SnapshotStore} does; the in-memory and the DynamoDB stores both pass it. */
abstract class SnapshotStoreContract {
    abstract SnapshotStore store();

    private static Snapshot snapshot(StreamId stream, long version) {
        return new Snapshot(stream, version, "State", 1, "{\"v\":" + version + "}", Instant.parse("2026-01-01T00:00:00Z"),
                List.of());
    }

    private static StreamId stream() {
        return StreamId.of("Customer", UUID.randomUUID().toString());
    }

    @Test
    void the_latest_snapshot_is_kept_and_an_older_one_never_replaces_it() {
        SnapshotStore store = store();
        StreamId s = stream();
        store.save(snapshot(s, 5));
        store.save(snapshot(s, 3));
        assertThat(store.load(s)).hasValueSatisfying(x -> assertThat(x.version()).isEqualTo(5));
    }

    @Test
    void a_deleted_snapshot_is_gone_and_only_that_streams() {
        SnapshotStore store = store();
        StreamId forgotten = stream();
        StreamId kept = stream();
        store.save(snapshot(forgotten, 5));
        store.save(snapshot(kept, 7));

        store.delete(forgotten);
        store.delete(forgotten); // idempotent
        store.delete(stream()); // none there: nothing to do

        assertThat(store.load(forgotten)).isEmpty();
        assertThat(store.load(kept)).hasValueSatisfying(x -> assertThat(x.version()).isEqualTo(7));
        // a later snapshot may be taken again (it is written under the rules of its own time)
        store.save(snapshot(forgotten, 2));
        assertThat(store.load(forgotten)).hasValueSatisfying(x -> assertThat(x.version()).isEqualTo(2));
    }
}
