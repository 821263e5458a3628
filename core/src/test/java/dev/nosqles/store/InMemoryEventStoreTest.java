package dev.nosqles.store;

import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.MutableClock;

class InMemoryEventStoreTest extends EventStoreContract {
    @Override
    protected EventStore createStore(MutableClock clock) {
        return new InMemoryEventStore(clock);
    }
}
