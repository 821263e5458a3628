package dev.nosqles.dynamodb;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * A process that dies right after a write landed: the {@code k}-th matching request succeeds on the server, then
 * its caller gets an exception instead of the answer (once; later requests pass). The SDK does not retry it: as
 * far as the caller knows, it died between that write and its next step.
 */
final class CrashAfterInterceptor implements ExecutionInterceptor {
    private final Predicate<SdkRequest> matches;
    private final int k;
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();

    CrashAfterInterceptor(int k, Predicate<SdkRequest> matches) {
        this.k = k;
        this.matches = matches;
    }

    int injected() {
        return injected.get();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (matches.test(context.request()) && seen.incrementAndGet() == k) {
            injected.incrementAndGet();
            throw new IllegalStateException("crash injected after a write landed");
        }
    }
}
