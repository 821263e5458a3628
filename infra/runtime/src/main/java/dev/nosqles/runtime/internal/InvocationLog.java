package dev.nosqles.runtime.internal;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One log line per event-source invocation of {@code make run}: the function, its event, what the batch held
 * (stream records by key and version; saga messages by saga, kind and command type, which makes a line per saga
 * step) and the outcome. Never a payload: keys, ids (shortened), type names and outcomes only.
 */
public final class InvocationLog {
    private static final int LISTED = 10;

    private InvocationLog() {
    }

    /** A stream function's handler that logs each invocation. */
    public static RequestHandler<DynamodbEvent, Object> stream(String function, String event,
                                                               RequestHandler<DynamodbEvent, Object> handler,
                                                               Consumer<String> log) {
        return (input, context) -> {
            List<DynamodbEvent.DynamodbStreamRecord> records = input.getRecords() == null ? List.of()
                    : input.getRecords();
            List<String> described = new ArrayList<>();
            for (DynamodbEvent.DynamodbStreamRecord r : records) {
                described.add(describe(r));
            }
            return logged(function + " <- " + event + ": " + records.size() + " record(s) " + listed(described),
                    () -> handler.handleRequest(input, context), log);
        };
    }

    /** A queue function's handler that logs each invocation. */
    public static RequestHandler<SQSEvent, Object> queue(String function, String event,
                                                         RequestHandler<SQSEvent, Object> handler,
                                                         Consumer<String> log) {
        return (input, context) -> {
            List<SQSEvent.SQSMessage> messages = input.getRecords() == null ? List.of() : input.getRecords();
            List<String> described = new ArrayList<>();
            for (SQSEvent.SQSMessage m : messages) {
                described.add(describe(m));
            }
            return logged(function + " <- " + event + ": " + messages.size() + " message(s) " + listed(described),
                    () -> handler.handleRequest(input, context), log);
        };
    }

    private interface Invocation {
        Object call();
    }

    private static Object logged(String line, Invocation invocation, Consumer<String> log) {
        long start = System.nanoTime();
        try {
            Object response = invocation.call();
            int failed = failures(response);
            log.accept(line + " -> " + (failed == 0 ? "ok" : failed + " failed") + ", " + millis(start) + " ms");
            return response;
        } catch (RuntimeException | Error e) {
            log.accept(line + " -> threw " + e.getClass().getName() + ", " + millis(start) + " ms");
            throw e;
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int failures(Object response) {
        return switch (response) {
            case StreamsEventResponse r when r.getBatchItemFailures() != null -> r.getBatchItemFailures().size();
            case SQSBatchResponse r when r.getBatchItemFailures() != null -> r.getBatchItemFailures().size();
            case null, default -> 0;
        };
    }

    private static String listed(List<String> described) {
        if (described.size() <= LISTED) {
            return String.valueOf(described);
        }
        return described.subList(0, LISTED) + " +" + (described.size() - LISTED) + " more";
    }

    /** {@code Order-1a2b3c4d v2}, from the record's keys. */
    static String describe(DynamodbEvent.DynamodbStreamRecord record) {
        Map<String, AttributeValue> keys = record.getDynamodb() == null ? null : record.getDynamodb().getKeys();
        if (keys == null || keys.get("streamId") == null || keys.get("version") == null) {
            return record.getEventName() + " " + record.getEventID();
        }
        String streamId = String.valueOf(keys.get("streamId").getS());
        int typeEnd = streamId.indexOf('-');
        String shown = typeEnd < 0 ? streamId : streamId.substring(0, typeEnd + 1)
                + shortId(streamId.substring(typeEnd + 1));
        return shown + " v" + keys.get("version").getN();
    }

    /** A saga message by saga, kind and command type or outcome; any other message by its id. */
    static String describe(SQSEvent.SQSMessage message) {
        SagaMessage decoded;
        try {
            decoded = message.getBody() == null ? null : SagaMessage.fromJson(message.getBody());
        } catch (SagaMessageException | IllegalArgumentException notASagaMessage) {
            decoded = null;
        }
        if (decoded == null) {
            return "message " + shortId(message.getMessageId());
        }
        String saga = decoded.sagaType() + " " + shortId(decoded.sagaId()) + ": ";
        return switch (decoded) {
            case SagaMessage.CommandMessage c -> saga + "command " + c.commandType() + " to " + c.channel() + "/"
                    + shortId(c.target());
            case SagaMessage.ReplyMessage r -> saga + "reply " + r.outcome()
                    + (r.reason() == null ? "" : " (" + r.reason() + ")");
            case SagaMessage.DeadlineMessage d -> saga + "deadline of command " + shortId(d.commandMessageId());
        };
    }

    private static String shortId(String id) {
        return id == null || id.length() <= 8 ? String.valueOf(id) : id.substring(0, 8);
    }
}
