package dev.nosqles.saga;

import java.time.Instant;
import java.util.List;

/** {@link SagaDeadlines#none()}: one instance, so that a builder can tell it apart. */
final class NoSagaDeadlines {
    static final SagaDeadlines NONE = new SagaDeadlines() {
        @Override
        public void put(Entry entry) {
        }

        @Override
        public void remove(String sagaId, long version) {
        }

        @Override
        public void postpone(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        }

        @Override
        public void arm(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        }

        @Override
        public List<Entry> due(Instant now) {
            return List.of();
        }
    };

    private NoSagaDeadlines() {
    }
}
