package dev.nosqles.privacy;

import dev.nosqles.privacy.memory.InMemorySubjectKeys;

class InMemorySubjectKeysTest extends SubjectKeysContract {
    @Override
    SubjectKeys keys() {
        return new InMemorySubjectKeys();
    }
}
