package dev.nosqles.runtime.saga;

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
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The lost response of a successful send: the first attempt of every {@code SendMessage} reaches SQS (the message
 * is enqueued), then its answer is replaced with a 500, so the SDK retries a send that already landed.
 */
final class SendLostInterceptor implements ExecutionInterceptor {
    private static final ExecutionAttribute<Boolean> ANSWER_LOST = new ExecutionAttribute<>("nosqles.answerLost");
    private static final ExecutionAttribute<Boolean> LOSING = new ExecutionAttribute<>("nosqles.losingThisAttempt");

    private final AtomicInteger lost = new AtomicInteger();

    /** How many answers were lost (each one a message SQS holds that its sender believes unsent). */
    int lost() {
        return lost.get();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        boolean first = context.request() instanceof SendMessageRequest
                && attributes.getAttribute(ANSWER_LOST) == null && context.httpResponse().isSuccessful();
        attributes.putAttribute(LOSING, first);
        if (!first) {
            return context.httpResponse();
        }
        attributes.putAttribute(ANSWER_LOST, true);
        lost.incrementAndGet();
        return context.httpResponse().toBuilder().statusCode(500).statusText("Internal Server Error").build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        if (!Boolean.TRUE.equals(attributes.getAttribute(LOSING))) {
            return context.responseBody();
        }
        return Optional.of(new ByteArrayInputStream(
                "{\"__type\":\"InternalError\",\"message\":\"injected: answer lost\"}"
                        .getBytes(StandardCharsets.UTF_8)));
    }
}
