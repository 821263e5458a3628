package dev.nosqles.privacy;

import dev.nosqles.memory.InMemorySubjectKeys;

class InMemorySubjectKeysTest extends SubjectKeysContract {
    @Override
    SubjectKeys keys() {
        return new InMemorySubjectKeys();
    }
}
