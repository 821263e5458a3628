package dev.nosqles.cli;

import dev.nosqles.projection.Projection;
import java.util.List;

/** The reference application's projections: the read models the command knows. */
final class AppProjections {
    private AppProjections() {
    }

    static List<Projection<?>> all() {
        // issue 10: dev.nosqles.app.readmodel.ReadModels.projections() once the application defines it
        return List.of();
    }
}
