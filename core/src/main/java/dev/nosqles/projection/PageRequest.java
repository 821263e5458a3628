package dev.nosqles.projection;

import java.util.Objects;
import java.util.Optional;

/**
 * A request for one page of an index.
 *
 * @param limit rows per page, 1 to {@link #MAX_LIMIT}
 * @param cursor the cursor of the previous page, if any
 * @param scope what the cursor is bound to besides the query itself (for example the caller): a cursor issued in
 *              another scope is refused as {@linkplain InvalidCursorException.Reason#FOREIGN foreign}
 * @param newestFirst descending sort order
 */
public record PageRequest(int limit, Optional<String> cursor, String scope, boolean newestFirst) {
    public static final int MAX_LIMIT = 100;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(scope, "scope");
    }
}
