package dev.nosqles.operations;

import java.time.Instant;
import java.util.List;

/**
 * A saga's timeline: its own stream joined with the participants' events its commands caused.
 *
 * @param sagaId the saga's id
 * @param sagaType the saga's type
 * @param status the saga's status as last recorded
 * @param startedAt when it was created
 * @param endedAt when it completed or failed ({@code null}: still running)
 * @param lanes {@code orchestrator}, then each participant's channel in order of first appearance
 * @param entries the steps, in time order
 */
public record SagaTimeline(String sagaId, String sagaType, String status, Instant startedAt, Instant endedAt,
                           List<String> lanes, List<TimelineEntry> entries) {
    public SagaTimeline {
        lanes = List.copyOf(lanes);
        entries = List.copyOf(entries);
    }
}
