package dev.nosqles.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Loses the response of a request that succeeded: the matching request reaches the server and is executed
 * there, then its answer is replaced by a 500 InternalServerError, as a dropped connection or a failing front end
 * would. The SDK then retries the same request, exactly as it does in production.
 *
 * <p>Attach it to a client with {@code overrideConfiguration(o -> o.addExecutionInterceptor(lost))}. It injects
 * at most {@code faults} faults, into the first attempts that match, and counts those it injected, so a test can
 * prove the fault really happened.
 */
public final class LostResponseInterceptor implements ExecutionInterceptor {
    private static final ExecutionAttribute<Boolean> LOST = new ExecutionAttribute<>("nosqles.lostResponse");
    private static final byte[] ERROR_BODY = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
            + "\"message\":\"response lost (injected by a test)\"}").getBytes(StandardCharsets.UTF_8);

    private final Predicate<SdkRequest> matches;
    private final AtomicInteger remaining;
    private final AtomicInteger injected = new AtomicInteger();

    private LostResponseInterceptor(Predicate<SdkRequest> matches, int faults) {
        this.matches = matches;
        this.remaining = new AtomicInteger(faults);
    }

    /** Loses the responses of the first {@code faults} attempts of requests of this type. */
    public static LostResponseInterceptor ofFirst(int faults, Class<? extends SdkRequest> requestType) {
        return new LostResponseInterceptor(requestType::isInstance, faults);
    }

    /** Loses the responses of the first {@code faults} attempts of requests that match. */
    public static LostResponseInterceptor ofFirst(int faults, Predicate<SdkRequest> matches) {
        return new LostResponseInterceptor(matches, faults);
    }

    /** Loses the responses of the next {@code attempts} matching attempts (the SDK's retries included). */
    public void loseNext(int attempts) {
        remaining.set(attempts);
    }

    /** How many responses were lost so far. */
    public int injected() {
        return injected.get();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        // called once per attempt; the attribute tells modifyHttpResponseContent (same attempt) what was decided
        boolean lose = matches.test(context.request()) && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        attributes.putAttribute(LOST, lose);
        if (!lose) {
            return context.httpResponse();
        }
        injected.incrementAndGet();
        return SdkHttpResponse.builder()
                .statusCode(500)
                .statusText("Internal Server Error")
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("Content-Length", Integer.toString(ERROR_BODY.length))
                .putHeader("x-amzn-RequestId", "lost-response-" + injected.get())
                .build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        if (!Boolean.TRUE.equals(attributes.getAttribute(LOST))) {
            return context.responseBody();
        }
        context.responseBody().ifPresent(LostResponseInterceptor::drain);
        return Optional.of(new ByteArrayInputStream(ERROR_BODY));
    }

    private static void drain(InputStream body) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
