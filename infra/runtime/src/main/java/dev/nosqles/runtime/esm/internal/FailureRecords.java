package dev.nosqles.runtime.esm.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The invocation record Lambda sends to an on-failure destination of a stream mapping: metadata about the
 * discarded batch (shard, first and last sequence number, size), never the records.
 */
public final class FailureRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FailureRecords() {
    }

    /** Details of a record set given up on. */
    public record StreamBatch(String shardId, String startSequenceNumber, String endSequenceNumber,
                              Instant firstArrival, Instant lastArrival, int batchSize, String streamArn) {
    }

    public static String streamRecordsExhausted(String requestId, String functionArn, int invokeCount,
                                                String functionError, StreamBatch batch, Instant now) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode request = root.putObject("requestContext");
        request.put("requestId", requestId);
        request.put("functionArn", functionArn);
        request.put("condition", "RetryAttemptsExhausted");
        request.put("approximateInvokeCount", invokeCount);
        ObjectNode response = root.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", "$LATEST");
        if (functionError != null) {
            response.put("functionError", functionError);
        }
        root.put("version", "1.0");
        root.put("timestamp", now.truncatedTo(ChronoUnit.MILLIS).toString());
        ObjectNode info = root.putObject("DDBStreamBatchInfo");
        info.put("shardId", batch.shardId());
        info.put("startSequenceNumber", batch.startSequenceNumber());
        info.put("endSequenceNumber", batch.endSequenceNumber());
        if (batch.firstArrival() != null) {
            info.put("approximateArrivalOfFirstRecord", batch.firstArrival().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (batch.lastArrival() != null) {
            info.put("approximateArrivalOfLastRecord", batch.lastArrival().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        info.put("batchSize", batch.batchSize());
        info.put("streamArn", batch.streamArn());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write an invocation record", e);
        }
    }
}
