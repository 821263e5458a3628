package dev.nosqles.store;

import dev.nosqles.memory.InMemorySnapshotStore;

class InMemorySnapshotStoreContractTest extends SnapshotStoreContract {
    @Override
    SnapshotStore store() {
        return new InMemorySnapshotStore();
    }
}
