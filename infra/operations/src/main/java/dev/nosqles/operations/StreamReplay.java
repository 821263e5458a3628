package dev.nosqles.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.operations.internal.Json;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Replays a failed stream batch: reads the records between its start and end sequence numbers from the table's
 * stream (GetShardIterator AT_SEQUENCE_NUMBER, then GetRecords) and invokes the function with them in the event
 * Lambda's event source mapping sends (Records of eventSource {@code aws:dynamodb}), synchronously.
 */
final class StreamReplay {
    /** GetRecords calls without reaching the batch's end before giving up (an open shard's empty pages). */
    private static final int MAX_EMPTY_PAGES = 5;
    /** A GetRecords page. */
    private static final int PAGE = 1000;

    /** What {@link #read} returns when it did not get the batch's whole range (compared by identity). */
    private static final List<Record> INCOMPLETE = new ArrayList<>(0);

    private final DynamoDbStreamsClient streams;
    private final LambdaClient lambda;

    StreamReplay(DynamoDbStreamsClient streams, LambdaClient lambda) {
        this.streams = streams;
        this.lambda = lambda;
    }

    record Result(boolean done, String detail) {
    }

    Result replay(DeadLetter.StreamBatch batch) {
        if (batch.streamArn() == null) {
            return new Result(false, "the record names no stream");
        }
        List<Record> records;
        try {
            records = read(batch);
        } catch (TrimmedDataAccessException | ResourceNotFoundException | ExpiredIteratorException e) {
            return new Result(false, "the records left the stream (kept 24 hours): cannot replay");
        }
        if (records == null) {
            return new Result(false, "the records left the stream (kept 24 hours): cannot replay");
        }
        if (records == INCOMPLETE) {
            return new Result(false, "stream read incomplete (the batch's end was not reached): not replayed");
        }
        String payload = event(records, batch.streamArn());
        InvokeResponse response;
        try {
            response = lambda.invoke(r -> r.functionName(batch.function()).invocationType(InvocationType.REQUEST_RESPONSE)
                    .payload(SdkBytes.fromUtf8String(payload)));
        } catch (RuntimeException e) {
            return new Result(false, "invoking " + batch.function() + " failed (" + e.getClass().getSimpleName() + ")");
        }
        if (response.functionError() != null) {
            return new Result(false, batch.function() + " failed again (" + response.functionError() + ")");
        }
        int failures = failures(response);
        if (failures > 0) {
            return new Result(false, batch.function() + " reported " + failures + " of " + records.size()
                    + " records failed");
        }
        return new Result(true, records.size() + " records replayed to " + batch.function()
                + " (records it had handled are skipped by its checkpoints)");
    }

    /**
     * The batch's whole range of records; null when its first record is no longer in the stream; {@link #INCOMPLETE}
     * when the read stopped (empty pages, a closed shard's end) before a record at or past the end sequence number
     * was seen, or it brought fewer records than the batch had: a partial batch is never replayed.
     */
    private List<Record> read(DeadLetter.StreamBatch batch) {
        BigInteger start = new BigInteger(batch.startSequenceNumber());
        BigInteger end = new BigInteger(batch.endSequenceNumber());
        String iterator = streams.getShardIterator(r -> r.streamArn(batch.streamArn()).shardId(batch.shardId())
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                .sequenceNumber(batch.startSequenceNumber())).shardIterator();
        List<Record> records = new ArrayList<>();
        int empty = 0;
        boolean reachedEnd = false;
        read:
        while (iterator != null && empty < MAX_EMPTY_PAGES) {
            String it = iterator;
            GetRecordsResponse page = streams.getRecords(r -> r.shardIterator(it).limit(PAGE));
            if (page.records().isEmpty()) {
                empty++;
            }
            for (Record r : page.records()) {
                BigInteger seq = new BigInteger(r.dynamodb().sequenceNumber());
                if (seq.compareTo(start) < 0) {
                    continue;
                }
                if (seq.compareTo(end) > 0) {
                    reachedEnd = true;
                    break read;
                }
                records.add(r);
                if (seq.equals(end)) {
                    reachedEnd = true;
                    break read;
                }
            }
            iterator = page.nextShardIterator();
        }
        List<Record> first = first(records, start);
        if (first == null) {
            return null;
        }
        if (!reachedEnd || (batch.batchSize() > 0 && records.size() != batch.batchSize())) {
            return INCOMPLETE;
        }
        return first;
    }

    private static List<Record> first(List<Record> records, BigInteger start) {
        if (records.isEmpty() || !new BigInteger(records.get(0).dynamodb().sequenceNumber()).equals(start)) {
            return null;
        }
        return records;
    }

    private static int failures(InvokeResponse response) {
        try {
            JsonNode root = Json.mapper().readTree(response.payload().asUtf8String());
            JsonNode list = root == null ? null : root.get("batchItemFailures");
            return list != null && list.isArray() ? list.size() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    /** The event Lambda sends a function for these records (DynamoDB JSON images, times in epoch seconds). */
    static String event(List<Record> records, String streamArn) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode list = root.putArray("Records");
        for (Record r : records) {
            list.add(LambdaStreamRecords.record(r, streamArn));
        }
        return root.toString();
    }
}
