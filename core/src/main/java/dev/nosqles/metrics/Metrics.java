package dev.nosqles.metrics;

/**
 * Where the framework reports what it did (commands, conflicts, duplicates, dispatched events, sagas). Given to
 * {@link dev.nosqles.aggregate.AggregateRepository.Builder#metrics(Metrics)}, {@link
 * dev.nosqles.subscription.EventDispatcher#withMetrics(Metrics)} and {@link dev.nosqles.saga.SagaSweeper}; {@link
 * #none()} by default. An implementation must be cheap and must not throw (the Lambda adapter's writes CloudWatch
 * embedded metric format once per invocation). Counts add up; {@link Metric.Unit#MILLISECONDS} values are kept as
 * given (the adapter reports their maximum).
 */
@FunctionalInterface
public interface Metrics {
    /** Adds {@code value} to {@code metric}. */
    void add(Metric metric, long value);

    /** One more of {@code metric}. */
    default void increment(Metric metric) {
        add(metric, 1);
    }

    /** Reports nothing. */
    static Metrics none() {
        return None.INSTANCE;
    }

    /** The no-op. */
    enum None implements Metrics {
        INSTANCE;

        @Override
        public void add(Metric metric, long value) {
        }
    }
}
