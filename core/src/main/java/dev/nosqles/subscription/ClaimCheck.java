package dev.nosqles.subscription;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.internal.Json;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.InvalidStreamIdException;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.util.List;
import java.util.UUID;

/**
 * Resolves a <em>claim check</em>: a published event envelope that carries no {@code data} because the whole
 * message would exceed the broker's size limit (SNS: 256 KB). It names the event by {@code subject} (the stream
 * id), {@code sequence} (its version) and {@code id} (the event id), is flagged {@code "claimcheck": true} and
 * the message attribute {@code claimCheck = true}, and points at the event with the CloudEvents {@code dataref}
 * extension. A subscriber with read access to the event store reads the event from there (see
 * {@code event-envelope.md}):
 *
 * <pre>{@code
 * RecordedEvent event = ClaimCheck.isClaimCheck(body) ? ClaimCheck.resolve(eventStore, body) : ...;
 * }</pre>
 */
public final class ClaimCheck {
    /** The envelope's flag: {@code "claimcheck": true}. */
    public static final String FLAG = "claimcheck";
    /** The message attribute that repeats the flag, for subscription filter policies. */
    public static final String ATTRIBUTE = "claimCheck";

    private ClaimCheck() {
    }

    /** The {@code dataref} of an event: {@code nosqles:<streamId>/<version>}. */
    public static String dataref(StreamId streamId, long version) {
        return "nosqles:" + streamId.value() + "/" + version;
    }

    /** True when the envelope is a claim check (has no {@code data}, to be read from the event store). */
    public static boolean isClaimCheck(String envelope) {
        JsonNode flag = parse(envelope).get(FLAG);
        return flag != null && flag.asBoolean(false);
    }

    /**
     * Reads the event a claim check names from the store: one Query of exactly that version.
     *
     * @throws ClaimCheckException the envelope names no event, or the store holds no event with that id there
     */
    public static RecordedEvent resolve(EventStore store, String envelope) {
        JsonNode root = parse(envelope);
        JsonNode subject = root.get("subject");
        JsonNode sequence = root.get("sequence");
        JsonNode id = root.get("id");
        if (subject == null || !subject.isTextual() || sequence == null || !sequence.canConvertToLong()
                || sequence.asLong() < 1 || id == null || !id.isTextual()) {
            throw new ClaimCheckException(null, 0, null, "the envelope has no subject, sequence and id");
        }
        StreamId streamId;
        UUID eventId;
        try {
            streamId = StreamId.parse(subject.asText());
            eventId = UUID.fromString(id.asText());
        } catch (InvalidStreamIdException | IllegalArgumentException e) {
            throw new ClaimCheckException(null, sequence.asLong(), null, "subject or id is malformed");
        }
        long version = sequence.asLong();
        List<RecordedEvent> events = store.read(streamId, ReadRequest.from(version).withToVersion(version)).events();
        return events.stream().filter(e -> e.version() == version && e.eventId().equals(eventId)).findFirst()
                .orElseThrow(() -> new ClaimCheckException(streamId, version, eventId,
                        "the event store holds no such event"));
    }

    private static JsonNode parse(String envelope) {
        try {
            JsonNode root = Json.mapper().readTree(envelope);
            if (root != null && root.isObject()) {
                return root;
            }
        } catch (JsonProcessingException e) {
            // answered below
        }
        throw new ClaimCheckException(null, 0, null, "the envelope is not a JSON object");
    }
}
