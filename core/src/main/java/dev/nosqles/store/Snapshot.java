package dev.nosqles.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The serialised state of an aggregate at a version, with what it takes to verify it against the events and to
 * recognise redelivered messages after a load that starts from it.
 *
 * @param streamId the stream
 * @param version the stream version the state includes (always the end of a commit)
 * @param stateType stable name of the state's type
 * @param schemaVersion schema version of the state's JSON; a snapshot of another schema is ignored on load
 * @param data the state as JSON
 * @param timestamp when the snapshot was taken
 * @param commitFirstVersion the first version of the commit that ends at {@code version} (0: unknown, a snapshot
 *        written before this was recorded): a load reads from there, and the first commit it gets back proves that
 *        the events reach the snapshot
 * @param lastEventId the id of the event at {@code version} ({@code null}: unknown): proves that the commit read
 *        back is the one the snapshot was taken after, not another one written at the same versions since
 * @param messages the most recent message ids and which commits they cover
 */
public record Snapshot(StreamId streamId, long version, String stateType, int schemaVersion, String data,
                       Instant timestamp, long commitFirstVersion, UUID lastEventId, MessageWindow messages) {
    public Snapshot {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(messages, "messages");
        if (commitFirstVersion < 0 || commitFirstVersion > version) {
            throw new IllegalArgumentException("commitFirstVersion must be between 0 and the version");
        }
    }

    /**
     * A snapshot in the form written before commit boundaries and message windows were recorded: it cannot prove
     * its boundary (a load verifies it by reading back), and its message ids cover an unknown span of commits.
     */
    public Snapshot(StreamId streamId, long version, String stateType, int schemaVersion, String data,
                    Instant timestamp, List<String> recentMessageIds) {
        this(streamId, version, stateType, schemaVersion, data, timestamp, 0, null,
                MessageWindow.legacy(recentMessageIds, version, timestamp));
    }

    /** The ids of {@link #messages()}, oldest first. */
    public List<String> recentMessageIds() {
        return messages.recent().stream().map(RecentMessage::messageId).toList();
    }

    /** True when the snapshot records the commit it was taken after, so a load can prove it cheaply. */
    public boolean recordsItsCommit() {
        return commitFirstVersion > 0 && lastEventId != null;
    }

    /**
     * A message the aggregate processed, and the commit that holds it.
     *
     * @param messageId the message id
     * @param version the last version of the commit holding it (0: unknown)
     * @param committedAt the commit's timestamp ({@code null}: unknown)
     */
    public record RecentMessage(String messageId, long version, Instant committedAt) {
        public RecentMessage {
            Objects.requireNonNull(messageId, "messageId");
        }
    }

    /**
     * The message ids a snapshot carries (newest last) and the span of commits they cover: every commit after
     * version {@code evictedVersion} up to the snapshot's version that carries a message id has it in
     * {@code recent}. Commits at or before {@code evictedVersion} were written at or before {@code evictedAt}.
     *
     * @param recent the most recent messages, oldest first
     * @param evictedVersion the last version of the newest commit whose message id no longer fits (0: none, the ids
     *        cover the whole stream up to the snapshot)
     * @param evictedAt that commit's timestamp, or later ({@code null} when {@code evictedVersion} is 0)
     */
    public record MessageWindow(List<RecentMessage> recent, long evictedVersion, Instant evictedAt) {
        public MessageWindow {
            recent = List.copyOf(recent);
            if (evictedVersion < 0 || (evictedVersion > 0) != (evictedAt != null)) {
                throw new IllegalArgumentException("evictedVersion and evictedAt go together");
            }
        }

        /** A window that covers every commit: nothing evicted. */
        public static MessageWindow complete(List<RecentMessage> recent) {
            return new MessageWindow(recent, 0, null);
        }

        /** Ids from a snapshot of the old form: they may cover any span up to its version, so none is assumed. */
        public static MessageWindow legacy(List<String> ids, long version, Instant timestamp) {
            List<RecentMessage> recent = ids.stream().map(id -> new RecentMessage(id, 0, null)).toList();
            return version == 0 ? complete(recent) : new MessageWindow(recent, version, timestamp);
        }
    }
}
