package dev.nosqles.dynamodb.internal;

import dev.nosqles.store.StreamId;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The layout of a checkpoint item and of its conditional move (used by
 * {@link dev.nosqles.dynamodb.DynamoDbCheckpointStore} and by the rebuild, which writes several moves in one
 * transaction): partition key {@code subscriber} (S), sort key {@code streamId} (S), {@code version} (N) and
 * {@code writeToken} (S, the id of the call that wrote it). A move from {@code from} to {@code to} is a Put on
 * condition that the version is {@code from} (or absent when {@code from} is 0), asking for the item as it was when
 * the condition fails.
 */
public final class CheckpointItems {
    public static final String SUBSCRIBER = "subscriber";
    public static final String STREAM_ID = "streamId";
    public static final String VERSION = "version";
    public static final String WRITE_TOKEN = "writeToken";

    private CheckpointItems() {
    }

    public static Map<String, AttributeValue> key(String subscriber, StreamId streamId) {
        return Map.of(SUBSCRIBER, AttributeValue.fromS(subscriber), STREAM_ID, AttributeValue.fromS(streamId.value()));
    }

    /** The checkpoint item after a move to {@code to} written by the call {@code token}. */
    public static Map<String, AttributeValue> item(String subscriber, StreamId streamId, long to, String token) {
        Map<String, AttributeValue> item = new HashMap<>(key(subscriber, streamId));
        item.put(VERSION, AttributeValue.fromN(Long.toString(to)));
        item.put(WRITE_TOKEN, AttributeValue.fromS(token));
        return item;
    }

    /** The condition of a move from {@code from} (names {@link #names()}, values {@link #values(long)}). */
    public static String condition(long from) {
        return from == 0 ? "attribute_not_exists(#v) OR #v = :from" : "#v = :from";
    }

    public static Map<String, String> names() {
        return Map.of("#v", VERSION);
    }

    public static Map<String, AttributeValue> values(long from) {
        return Map.of(":from", AttributeValue.fromN(Long.toString(from)));
    }

    /** A move as a transaction item: the conditional Put of the checkpoint. */
    public static TransactWriteItem movePut(String table, String subscriber, StreamId streamId, long from, long to,
                                            String token) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(item(subscriber, streamId, to, token))
                .conditionExpression(condition(from)).expressionAttributeNames(names())
                .expressionAttributeValues(values(from))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build()).build();
    }

    /** True when the checkpoint item as it is now is the one the call {@code token} wrote, at {@code to}. */
    public static boolean isOwnWrite(Map<String, AttributeValue> current, String token, long to) {
        if (current == null || current.isEmpty()) {
            return false;
        }
        AttributeValue written = current.get(WRITE_TOKEN);
        AttributeValue version = current.get(VERSION);
        return written != null && token.equals(written.s()) && version != null
                && Long.toString(to).equals(version.n());
    }
}
