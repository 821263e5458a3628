package dev.nosqles.runtime.esm;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.runtime.esm.internal.FilterRecords;
import dev.nosqles.runtime.esm.internal.LocalContext;
import dev.nosqles.runtime.esm.internal.PollLoop;
import dev.nosqles.runtime.esm.internal.SqsMessageConverter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS event-source mapping on the local AWS: receives messages, invokes a {@code RequestHandler<SQSEvent, ?>}
 * and deletes what succeeded. A message not deleted becomes visible again after the queue's visibility timeout,
 * and SQS itself moves it to a dead-letter queue once its RedrivePolicy's maxReceiveCount is reached.
 *
 * <p>The queue is the checkpoint: {@code stop} lets the in-flight invocation finish and delete its successes; a
 * message received by an abandoned or dead poller simply becomes visible again.
 */
public final class SqsPoller implements EventSourcePoller {
    private static final System.Logger LOG = System.getLogger(SqsPoller.class.getName());
    private static final Duration DEFAULT_FUNCTION_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration IDLE_WAIT = Duration.ofMillis(250);

    private final QueueMapping mapping;
    private final RequestHandler<SQSEvent, ?> handler;
    private final EsmClients clients;
    private final Duration functionTimeout;
    private final String queueArn;
    private final Clock clock = Clock.systemUTC();
    private final PollLoop loop;
    private final Object settleLock = new Object();
    private boolean abandoned; // guarded by settleLock

    public SqsPoller(QueueMapping mapping, RequestHandler<SQSEvent, ?> handler, EsmClients clients) {
        this(mapping, handler, clients, DEFAULT_FUNCTION_TIMEOUT);
    }

    public SqsPoller(QueueMapping mapping, RequestHandler<SQSEvent, ?> handler, EsmClients clients,
                     Duration functionTimeout) {
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.functionTimeout = Objects.requireNonNull(functionTimeout, "functionTimeout");
        try {
            this.queueArn = clients.sqs().getQueueAttributes(b -> b.queueUrl(mapping.queueUrl())
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        } catch (SdkException e) {
            throw new EventSourceMappingException(mapping.id(), "could not read queue " + mapping.queueUrl(), e);
        }
        this.loop = new PollLoop("esm-" + mapping.id(), this::pollOnce, IDLE_WAIT, this::abandon);
    }

    @Override
    public String mappingId() {
        return mapping.id();
    }

    @Override
    public synchronized boolean pollOnce() {
        synchronized (settleLock) {
            if (abandoned) {
                throw new IllegalStateException("mapping " + mapping.id() + ": this poller was abandoned by stop");
            }
        }
        List<Message> received = receive();
        if (received.isEmpty()) {
            return false;
        }
        List<Message> messages = received;
        if (!mapping.filter().passesEverything()) {
            // Lambda deletes a message that matches no filter without invoking the function.
            messages = received.stream().filter(m -> mapping.filter().matches(FilterRecords.sqs(m))).toList();
            List<Message> dropped = received.stream().filter(m -> !mapping.filter().matches(FilterRecords.sqs(m)))
                    .toList();
            synchronized (settleLock) {
                if (abandoned) {
                    throw new PollLoop.Abandoned(mapping.id());
                }
                delete(dropped);
            }
            if (messages.isEmpty()) {
                return true;
            }
        }
        List<Message> batch = messages;
        LocalContext context = new LocalContext(mapping.functionName(), clients.region(), functionTimeout, clock);
        SQSEvent event = SqsMessageConverter.event(batch, queueArn, clients.region());
        Object response;
        List<Message> succeeded;
        String outcome;
        try {
            response = handler.handleRequest(event, context);
            Set<String> failed = failedIds(response, batch);
            if (failed == null) {
                succeeded = List.of();
                outcome = "invalid batchItemFailures, none deleted";
            } else {
                succeeded = batch.stream().filter(m -> !failed.contains(m.messageId())).toList();
                outcome = failed.isEmpty() ? "success" : "batch item failures " + failed.size() + ", left to reappear";
            }
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable error) {
            succeeded = List.of();
            outcome = "function error (" + error.getClass().getName() + "), none deleted";
        }
        synchronized (settleLock) {
            if (abandoned) {
                throw new PollLoop.Abandoned(mapping.id());
            }
            delete(succeeded);
        }
        String result = outcome;
        LOG.log(System.Logger.Level.INFO, () -> "mapping=" + mapping.id() + " function=" + mapping.functionName()
                + " queue=" + queueArn + " messages=" + batch.size() + " outcome=" + result);
        return true;
    }

    @Override
    public int drainUntilIdle(int maxInvocations) {
        return loop.drain(mapping.id(), maxInvocations,
                "a message that keeps failing with a visibility timeout of 0 and no redrive policy?");
    }

    @Override
    public void start() {
        loop.start();
    }

    @Override
    public boolean stop(Duration grace) {
        return loop.stop(grace);
    }

    /** null = the response names a message not in the batch (Lambda then fails the whole batch). */
    private Set<String> failedIds(Object response, List<Message> messages) {
        if (!mapping.reportBatchItemFailures() || !(response instanceof SQSBatchResponse batchResponse)
                || batchResponse.getBatchItemFailures() == null) {
            return Set.of();
        }
        Set<String> inBatch = new HashSet<>();
        messages.forEach(m -> inBatch.add(m.messageId()));
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure failure : batchResponse.getBatchItemFailures()) {
            String id = failure == null ? null : failure.getItemIdentifier();
            if (id == null || !inBatch.contains(id)) {
                return null;
            }
            failed.add(id);
        }
        return failed;
    }

    /** Up to batchSize messages, gathering for up to the batching window; never long-polls (moto is serialised). */
    private List<Message> receive() {
        Map<String, Message> out = new LinkedHashMap<>();
        Instant windowEnd = clock.instant().plus(mapping.maxBatchingWindow());
        while (out.size() < mapping.batchSize()) {
            List<Message> received;
            try {
                int wanted = mapping.batchSize() - out.size();
                received = clients.sqs().receiveMessage(b -> b.queueUrl(mapping.queueUrl())
                        .maxNumberOfMessages(wanted)
                        .waitTimeSeconds(0)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
            } catch (SdkException e) {
                throw new EventSourceMappingException(mapping.id(), "could not receive from " + mapping.queueUrl(), e);
            }
            received.forEach(m -> out.putIfAbsent(m.messageId(), m));
            if (received.isEmpty()) {
                if (out.isEmpty() || !clock.instant().isBefore(windowEnd)) {
                    break;
                }
                try {
                    Thread.sleep(Math.min(100, Math.max(1, Duration.between(clock.instant(), windowEnd).toMillis())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } else if (!clock.instant().isBefore(windowEnd)) {
                break;
            }
        }
        return new ArrayList<>(out.values());
    }

    private void delete(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (Message m : messages.subList(from, Math.min(messages.size(), from + 10))) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(m.messageId().replaceAll("[^A-Za-z0-9_-]", "_"))
                        .receiptHandle(m.receiptHandle()).build());
            }
            try {
                DeleteMessageBatchResponse response = clients.sqs().deleteMessageBatch(b -> b.queueUrl(mapping.queueUrl())
                        .entries(entries));
                if (response.hasFailed() && !response.failed().isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "mapping=" + mapping.id() + " could not delete "
                            + response.failed().size() + " handled messages; they will be delivered again");
                }
            } catch (SdkException e) {
                throw new EventSourceMappingException(mapping.id(), "could not delete handled messages from "
                        + mapping.queueUrl() + "; they will be delivered again", e);
            }
        }
    }

    private void abandon() {
        synchronized (settleLock) {
            abandoned = true;
        }
    }
}
