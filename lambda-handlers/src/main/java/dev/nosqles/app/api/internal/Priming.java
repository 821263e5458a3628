package dev.nosqles.app.api.internal;

import java.lang.System.Logger.Level;
import org.crac.Context;
import org.crac.Resource;

/**
 * Before a SnapStart / CRaC checkpoint, runs harmless requests so that the classes and code paths they touch
 * (routing, Jackson, the SDK client, a DynamoDB call) are loaded and warm in the snapshot. A failure is logged
 * and does not stop the checkpoint.
 */
public final class Priming implements Resource {
    private static final System.Logger LOG = System.getLogger(Priming.class.getName());

    private final Runnable prime;

    public Priming(Runnable prime) {
        this.prime = prime;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            prime.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "priming before checkpoint failed: {0}", e.getClass().getSimpleName());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to renew: the SDK client reconnects on demand
    }
}
