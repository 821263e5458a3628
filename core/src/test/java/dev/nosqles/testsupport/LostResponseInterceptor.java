package dev.nosqles.testsupport;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Loses the answers of PutItem requests that DynamoDB executed: the request reaches the table and is applied,
 * then the client sees a 500 instead of the answer, so the SDK retries it (or gives up). Armed per attempt.
 */
public final class LostResponseInterceptor implements ExecutionInterceptor {
    private static final ExecutionAttribute<Boolean> LOST = new ExecutionAttribute<>("nosqles.lost-response");
    private static final String ERROR = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
            + "\"message\":\"injected: the answer was lost\"}";
    private final AtomicInteger armed = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();

    /** Loses the answers of the next {@code attempts} PutItem attempts (the SDK's retries included). */
    public void loseNextPutItemAnswers(int attempts) {
        armed.set(attempts);
    }

    /** How many answers were lost so far. */
    public int lost() {
        return lost.get();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (context.request() instanceof PutItemRequest
                && armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            lost.incrementAndGet();
            attributes.putAttribute(LOST, true);
            return context.httpResponse().toBuilder().statusCode(500).statusText("Internal Server Error")
                    .removeHeader("x-amzn-ErrorType").removeHeader("x-amz-crc32").build();
        }
        return context.httpResponse();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(LOST))) {
            attributes.putAttribute(LOST, false);
            return Optional.of(new ByteArrayInputStream(ERROR.getBytes(StandardCharsets.UTF_8)));
        }
        return context.responseBody();
    }
}
