package dev.nosqles.lambda;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * A CRaC {@link Resource} that runs harmless work before a SnapStart checkpoint, so that the classes and code paths
 * a handler uses (JSON, the SDK clients, a DynamoDB read) are loaded and warm in the snapshot. A failure is logged
 * and does not stop the checkpoint. CRaC holds resources weakly: keep the returned object in a field.
 *
 * <p>Two hook APIs fire before a checkpoint, depending on the runtime:
 * <ul>
 *   <li>{@code org.crac}: what AWS documents for SnapStart on the managed {@code java21} runtime ("The Lambda runtime
 *       contains a customized CRaC context implementation", Lambda developer guide, SnapStart runtime hooks for
 *       Java);</li>
 *   <li>{@code com.amazonaws.services.lambda.crac}: the context the open-source runtime interface client
 *       ({@code aws-lambda-java-runtime-interface-client}, {@code AWSLambda.onInitComplete}) fires when
 *       {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}; hooks registered only through {@code org.crac} do not
 *       run under it.</li>
 * </ul>
 * The priming registers with both: with {@code org.crac} always, and with the client's context when that class is
 * on the classpath (the runtime provides it; the deployment package does not ship it). It runs at most once per
 * checkpoint, so a runtime that fires both, or bridges one to the other, primes once.
 */
public final class SnapStartPriming implements Resource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapStartPriming.class);
    static final String LAMBDA_CRAC_CORE = "com.amazonaws.services.lambda.crac.Core";
    static final String LAMBDA_CRAC_RESOURCE = "com.amazonaws.services.lambda.crac.Resource";

    private final Runnable prime;
    private final AtomicBoolean primedSinceRestore = new AtomicBoolean();
    /** The proxy registered with the runtime client's context: held here because that context holds it weakly. */
    private Object lambdaResource;

    private SnapStartPriming(Runnable prime) {
        this.prime = Objects.requireNonNull(prime, "prime");
    }

    /**
     * Registers the priming with the global {@code org.crac} context and, when present, the runtime interface
     * client's {@code com.amazonaws.services.lambda.crac} context (both are no-ops outside a SnapStart JVM).
     */
    public static SnapStartPriming register(Runnable prime) {
        SnapStartPriming priming = new SnapStartPriming(prime);
        Core.getGlobalContext().register(priming);
        priming.lambdaResource = registerWithLambdaContext(priming, SnapStartPriming.class.getClassLoader());
        return priming;
    }

    /** Whether the runtime interface client's context was found and the priming registered with it. */
    public boolean registeredWithRuntimeClient() {
        return lambdaResource != null;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        primeOnce();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to renew: the SDK clients reconnect on demand
        primedSinceRestore.set(false);
    }

    private void primeOnce() {
        if (!primedSinceRestore.compareAndSet(false, true)) {
            return;
        }
        try {
            prime.run();
        } catch (RuntimeException e) {
            LOG.warn("priming before checkpoint failed: {}", e.getClass().getSimpleName());
        }
    }

    /**
     * {@code com.amazonaws.services.lambda.crac.Core.getGlobalContext().register(resource)} through reflection, with
     * a proxy implementing that package's {@code Resource}; null when the classes are not there.
     */
    static Object registerWithLambdaContext(SnapStartPriming priming, ClassLoader loader) {
        Class<?> core;
        Class<?> resource;
        try {
            core = Class.forName(LAMBDA_CRAC_CORE, true, loader);
            resource = Class.forName(LAMBDA_CRAC_RESOURCE, true, loader);
        } catch (ClassNotFoundException | LinkageError notThere) {
            return null;
        }
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "beforeCheckpoint" -> {
                priming.primeOnce();
                yield null;
            }
            case "afterRestore" -> {
                priming.afterRestore(null);
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "SnapStartPriming(" + LAMBDA_CRAC_RESOURCE + ")";
            default -> throw new UnsupportedOperationException(method.getName());
        };
        Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {resource}, handler);
        try {
            Object context = core.getMethod("getGlobalContext").invoke(null);
            Method register = findRegister(context.getClass(), resource);
            register.invoke(context, proxy);
            return proxy;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            LOG.warn("could not register priming with {}: {}", LAMBDA_CRAC_CORE,
                    cause.getClass().getSimpleName());
            return null;
        }
    }

    private static Method findRegister(Class<?> type, Class<?> resource) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals("register") && m.getParameterCount() == 1
                        && m.getParameterTypes()[0].isAssignableFrom(resource)) {
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + ".register(" + resource.getName() + ")");
    }
}
