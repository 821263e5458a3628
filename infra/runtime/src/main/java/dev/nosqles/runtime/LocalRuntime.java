package dev.nosqles.runtime;

import dev.nosqles.localaws.LocalAws;

/** {@code make run}: the application on the local AWS. Filled in as the application grows. */
public final class LocalRuntime {
    private LocalRuntime() {
    }

    public static void main(String[] args) {
        try (LocalAws aws = LocalAws.start()) {
            System.out.println("Local AWS: " + aws.description());
        }
    }
}
