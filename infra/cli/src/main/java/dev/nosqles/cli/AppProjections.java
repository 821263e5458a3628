package dev.nosqles.cli;

import dev.nosqles.app.readmodel.ReadModelWiring;
import dev.nosqles.projection.Projection;
import java.util.List;

/** The reference application's projections: the read models the command knows. */
final class AppProjections {
    private AppProjections() {
    }

    static List<Projection<?>> all() {
        return ReadModelWiring.projections();
    }
}
