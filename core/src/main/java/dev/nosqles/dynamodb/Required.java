package dev.nosqles.dynamodb;

/**
 * The checks the DynamoDB adapters' builders share in {@code build()}: a missing required part is an
 * {@link IllegalStateException} that names it ({@code "<part> is required"}).
 */
final class Required {
    private Required() {
    }

    /** {@code value}, or an {@link IllegalStateException} when it is null. */
    static <T> T part(T value, String name) {
        if (value == null) {
            throw new IllegalStateException(name + " is required");
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalStateException} when it is null or blank (a table name, a key id). */
    static String name(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is required");
        }
        return value;
    }
}
