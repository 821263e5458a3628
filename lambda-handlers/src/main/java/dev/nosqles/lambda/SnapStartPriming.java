package dev.nosqles.lambda;

import java.lang.System.Logger.Level;
import java.util.Objects;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * A CRaC {@link Resource} that runs harmless work before a SnapStart checkpoint, so that the classes and code paths
 * a handler uses (JSON, the SDK clients, a DynamoDB read) are loaded and warm in the snapshot. A failure is logged
 * and does not stop the checkpoint. CRaC holds resources weakly: keep the returned object in a field.
 */
public final class SnapStartPriming implements Resource {
    private static final System.Logger LOG = System.getLogger(SnapStartPriming.class.getName());

    private final Runnable prime;

    private SnapStartPriming(Runnable prime) {
        this.prime = Objects.requireNonNull(prime, "prime");
    }

    /** Registers the priming with the global CRaC context (a no-op outside a CRaC/SnapStart JVM). */
    public static SnapStartPriming register(Runnable prime) {
        SnapStartPriming priming = new SnapStartPriming(prime);
        Core.getGlobalContext().register(priming);
        return priming;
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
        // nothing to renew: the SDK clients reconnect on demand
    }
}
