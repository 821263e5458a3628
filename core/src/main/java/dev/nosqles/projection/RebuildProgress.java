package dev.nosqles.projection;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a rebuild stands, reported after each page it handled.
 *
 * @param version the read-model version being built
 * @param scannedItems events-table items read so far (this run and the runs it resumes)
 * @param estimatedItems the table's approximate item count (DescribeTable; refreshed about every six hours)
 * @param events events handed to the projection in this run
 * @param eventsPerSecond this run's rate
 * @param eta time left at this rate, when it can be told
 * @param done every segment finished
 */
public record RebuildProgress(int version, long scannedItems, long estimatedItems, long events,
                              double eventsPerSecond, Optional<Duration> eta, boolean done) {
}
