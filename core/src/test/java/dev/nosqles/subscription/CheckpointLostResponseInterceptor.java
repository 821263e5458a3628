package dev.nosqles.subscription;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * The lost response of a successful checkpoint write: the request goes to DynamoDB and lands, then its answer is
 * replaced by a 500 (as a dropped connection or a 5xx after the commit would), so that the SDK retries it. Each
 * kind (a checkpoint PutItem, a checkpoint transaction) loses the responses of its first {@code times} writes.
 */
final class CheckpointLostResponseInterceptor implements ExecutionInterceptor {
    private static final ExecutionAttribute<Boolean> LOST = new ExecutionAttribute<>("checkpoint-response-lost");
    private static final String ERROR = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
            + "\"message\":\"injected: the response of a write that landed was lost\"}";

    private final String checkpointsTable;
    private final int times;
    private final AtomicInteger lostPuts = new AtomicInteger();
    private final AtomicInteger lostTransactions = new AtomicInteger();

    CheckpointLostResponseInterceptor(String checkpointsTable, int times) {
        this.checkpointsTable = checkpointsTable;
        this.times = times;
    }

    /** Responses of checkpoint PutItems that landed and were replaced by a 500. */
    int lostPuts() {
        return lostPuts.get();
    }

    /** Responses of checkpoint transactions that landed and were replaced by a 500. */
    int lostTransactions() {
        return lostTransactions.get();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        attributes.putAttribute(LOST, false);
        if (!context.httpResponse().isSuccessful()) {
            return context.httpResponse();
        }
        SdkRequest request = context.request();
        boolean lose = false;
        if (request instanceof PutItemRequest put && checkpointsTable.equals(put.tableName())) {
            lose = lostPuts.getAndUpdate(n -> n < times ? n + 1 : n) < times;
        } else if (request instanceof TransactWriteItemsRequest tx && tx.transactItems().stream()
                .anyMatch(i -> i.put() != null && checkpointsTable.equals(i.put().tableName()))) {
            lose = lostTransactions.getAndUpdate(n -> n < times ? n + 1 : n) < times;
        }
        if (!lose) {
            return context.httpResponse();
        }
        attributes.putAttribute(LOST, true);
        return context.httpResponse().toBuilder().statusCode(500).statusText("Internal Server Error")
                .removeHeader("x-amz-crc32").build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(LOST))) {
            return Optional.of(new ByteArrayInputStream(ERROR.getBytes(StandardCharsets.UTF_8)));
        }
        return context.responseBody();
    }
}
