package dev.nosqles.cli;

import dev.nosqles.app.saga.StreamSubscribers;
import dev.nosqles.operations.DeadLetter;
import dev.nosqles.operations.DeadLetterQueues;
import dev.nosqles.operations.QueueDepth;
import dev.nosqles.operations.RedriveReport;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code nosqles dlq list|show|redrive}: the dead-letter queues of the saga channels and the stream functions. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "The dead-letter queues: StreamFailuresQueue (stream batches the stream functions gave up on), "
                + "CustomerCommandsDlq, OrderCommandsDlq, SagaRepliesDlq (saga messages). list their depth, show "
                + "their messages decoded, redrive them to where they came from.",
        subcommands = {DlqCommand.ListCommand.class, DlqCommand.ShowCommand.class, DlqCommand.RedriveCommand.class})
final class DlqCommand extends GroupCommand {
    /** Logical id of each dead-letter queue to the logical id of its source queue (null: the stream functions). */
    static final Map<String, String> QUEUES = new LinkedHashMap<>();

    static {
        QUEUES.put("StreamFailuresQueue", null);
        QUEUES.put("CustomerCommandsDlq", "CustomerCommandsQueue");
        QUEUES.put("OrderCommandsDlq", "OrderCommandsQueue");
        QUEUES.put("SagaRepliesDlq", "SagaRepliesQueue");
    }

    /** The resource key of the local runtime's Lambda endpoint (runtime.json {@code lambdaEndpoint}). */
    static final String LAMBDA_ENDPOINT = "LambdaEndpoint";

    DlqCommand() {
        super("list, show or redrive");
    }

    static String known(String queue) {
        if (!QUEUES.containsKey(queue)) {
            throw new UsageException("unknown queue " + queue + " (known: " + String.join(", ", QUEUES.keySet())
                    + ")");
        }
        return queue;
    }

    static int max(int max) {
        if (max < 1 || max > 10_000) {
            throw new UsageException("--max must be 1..10000, not " + max);
        }
        return max;
    }

    /** The queues and clients of a target; closes the clients. */
    static final class Connection implements AutoCloseable {
        final Target target;
        final DeadLetterQueues dlqs;
        private final List<AutoCloseable> clients = new ArrayList<>();

        /** @param only the one queue needed (its source too), or null for every queue the target names */
        Connection(Target target, String only) {
            this.target = target;
            SqsClient sqs = configure(SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
                    target).build();
            clients.add(sqs);
            DeadLetterQueues.Builder b = DeadLetterQueues.builder().sqs(sqs);
            if (target.resources().containsKey("EventsTable")) {
                DynamoDbClient dynamo = Clients.dynamoDb(target);
                clients.add(dynamo);
                b.eventStore(DynamoDbEventStore.builder().client(dynamo).tableName(target.eventsTable()).build());
            }
            StreamSubscribers.participantChannels().forEach(b::participant);
            int added = 0;
            for (Map.Entry<String, String> q : QUEUES.entrySet()) {
                String name = q.getKey();
                if (only != null && !only.equals(name)) {
                    continue;
                }
                if (only == null && (!target.resources().containsKey(name)
                        || q.getValue() != null && !target.resources().containsKey(q.getValue()))) {
                    continue; // list: what the target names
                }
                if (q.getValue() == null) {
                    b.streamFailures(name, target.queueUrl(name));
                    DynamoDbStreamsClient streams = configure(DynamoDbStreamsClient.builder()
                            .httpClientBuilder(UrlConnectionHttpClient.builder()), target).build();
                    software.amazon.awssdk.services.lambda.LambdaClientBuilder lambda = configure(LambdaClient.builder()
                            .httpClientBuilder(UrlConnectionHttpClient.builder()), target);
                    String local = target.resources().get(LAMBDA_ENDPOINT);
                    if (local != null) {
                        lambda.endpointOverride(URI.create(local));
                    }
                    LambdaClient client = lambda.build();
                    clients.add(streams);
                    clients.add(client);
                    b.streamReplay(streams, client);
                } else {
                    b.queue(name, target.queueUrl(name), q.getValue(), target.queueUrl(q.getValue()));
                }
                added++;
            }
            if (added == 0) {
                close();
                throw new UsageException(target.description() + " names none of the queues "
                        + String.join(", ", QUEUES.keySet()));
            }
            dlqs = b.build();
        }

        @Override
        public void close() {
            for (AutoCloseable c : clients) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing anyway
                }
            }
        }
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>, C> B configure(
            B builder, Target target) {
        builder.region(target.region()).credentialsProvider(target.credentials());
        target.endpoint().ifPresent(builder::endpointOverride);
        return builder;
    }


    // ------------------------------------------------------------------------------------------------- list

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Each dead-letter queue: its messages (visible, in flight) and where they came from.")
    static final class ListCommand extends Subcommand<DlqCommand> {
        @Option(names = "--json", description = "JSON for scripts instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            Target target = parent.target();
            List<QueueDepth> depths;
            try (Connection c = new Connection(target, null)) {
                depths = c.dlqs.list();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(OperationsJson.of(target, "queues", depths));
            } else {
                out.println("Dead-letter queues of " + target.description() + ":");
                TextTable table = new TextTable("QUEUE", "VISIBLE", "IN FLIGHT", "SOURCE");
                depths.forEach(d -> table.row(d.queue(), Long.toString(d.visible()), Long.toString(d.inFlight()),
                        d.source()));
                table.print(out);
            }
            out.flush();
            return 0;
        }
    }

    /** A subcommand on one dead-letter queue ({@code QUEUE}), at most {@code --max} messages. */
    abstract static class QueueCommand extends Subcommand<DlqCommand> {
        @Parameters(index = "0", paramLabel = "QUEUE",
                description = "StreamFailuresQueue, CustomerCommandsDlq, OrderCommandsDlq or SagaRepliesDlq.")
        String queue;

        /** The target, once the queue is a known one and {@code max} in range (else a usage error). */
        Target target(int max) {
            known(queue);
            max(max);
            return parent.target();
        }
    }

    // ------------------------------------------------------------------------------------------------- show

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The messages of a queue, decoded (kind, saga, message id, type, target, sent, receives; "
                    + "for a stream batch its function, shard and sequence numbers). Deletes nothing; each peek "
                    + "counts as a receive. The payload only with --body.")
    static final class ShowCommand extends QueueCommand {
        @Option(names = "--max", paramLabel = "N", description = "At most N messages (default: ${DEFAULT-VALUE}).")
        int max = 50;

        @Option(names = "--body", description = "Include each message's body (its payload).")
        boolean body;

        @Option(names = "--json", description = "JSON for scripts instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            Target target = target(max);
            List<DeadLetter> letters;
            try (Connection c = new Connection(target, queue)) {
                letters = c.dlqs.show(queue, max, body);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(OperationsJson.of(target, "messages", letters));
                out.flush();
                return 0;
            }
            out.println(queue + " of " + target.description() + ": " + letters.size() + " message(s) shown"
                    + (letters.size() == max ? " (--max reached; there may be more)" : ""));
            TextTable table = new TextTable("KIND", "SAGA", "MESSAGE ID", "TYPE", "TARGET", "SENT", "RECEIVES",
                    "BATCH");
            for (DeadLetter d : letters) {
                table.row(d.kind(), d.sagaId(), d.messageId(), d.type(), d.target(),
                        d.sentAt() == null ? "-" : d.sentAt().toString(), Integer.toString(d.receiveCount()),
                        d.batch() == null ? "-" : "shard " + d.batch().shardId() + " " + d.batch().startSequenceNumber()
                                + ".." + d.batch().endSequenceNumber() + " (" + d.batch().batchSize() + " records)");
            }
            table.print(out);
            if (body) {
                for (DeadLetter d : letters) {
                    out.println("body of " + d.sqsMessageId() + ": " + d.body());
                }
            }
            out.flush();
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------------- redrive

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Moves each message back to where it came from (a saga message to its source queue, a "
                    + "FIFO one in its group; a stream batch: its records read again from the table's stream and "
                    + "its function invoked with them) and deletes it from the queue once that succeeded. Says per "
                    + "message what it did; a message whose id was already applied is dropped by its receiver.")
    static final class RedriveCommand extends QueueCommand {
        /** From this many messages on, a progress bar (on a terminal). */
        static final int BAR_FROM = 20;

        @Option(names = "--max", paramLabel = "N", description = "At most N messages (default: ${DEFAULT-VALUE}).")
        int max = 1000;

        @Option(names = "--json", description = "JSON for scripts instead of lines.")
        boolean json;

        @Override
        public Integer call() {
            Target target = target(max);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            RedriveReport report;
            try (Connection c = new Connection(target, queue)) {
                long depth = c.dlqs.list().stream().filter(d -> d.queue().equals(queue))
                        .mapToLong(QueueDepth::visible).sum();
                long total = Math.min(depth, max);
                CountBar bar = total >= BAR_FROM ? new CountBar(err, parent.root.context.stderrIsTerminal(),
                        "redrive " + queue, total) : null;
                int[] done = {0};
                report = c.dlqs.redrive(queue, max, o -> {
                    done[0]++;
                    if (!json) {
                        out.println(line(o));
                        out.flush();
                    }
                    if (bar != null) {
                        bar.update(done[0]);
                    }
                });
                if (bar != null) {
                    bar.finish(done[0]);
                }
            }
            if (json) {
                out.println(OperationsJson.of(target, "redrive", new Summary(report.queue(), report.source(),
                        report.redriven(), report.alreadyApplied(), report.kept(), report.remaining(),
                        report.outcomes())));
            } else {
                out.println(queue + ": " + report.outcomes().size() + " message(s): " + report.redriven()
                        + " redriven, " + report.alreadyApplied() + " already applied (will be dropped), "
                        + report.kept() + " kept, " + remaining(report) + " remain in the queue");
            }
            out.flush();
            boolean maxReached = report.outcomes().size() >= max;
            long notReceived = report.remaining() - report.kept();
            if (report.kept() > 0 || (report.remaining() != 0 && !maxReached)) {
                err.println("nosqles: " + report.kept() + " message(s) kept in " + queue + " (see above)"
                        + (notReceived > 0 && !maxReached ? ", " + notReceived
                        + " more remain that this run did not receive: run it again" : "")
                        + (report.remaining() < 0 ? ", and what remains could not be read" : ""));
                err.flush();
                return Nosqles.FAILED;
            }
            return 0;
        }

        private static String remaining(RedriveReport report) {
            return report.remaining() < 0 ? "unknown" : Long.toString(report.remaining());
        }

        record Summary(String queue, String source, long redriven, long alreadyApplied, long kept, long remaining,
                       List<RedriveReport.Outcome> outcomes) {
        }

        static String line(RedriveReport.Outcome o) {
            return String.format(Locale.ROOT, "%-15s %-10s %-38s %s", o.result().name(), o.kind(),
                    o.messageId() == null ? o.sqsMessageId() : o.messageId(), o.detail());
        }
    }

    /** Progress by count on stderr: redrawn in place on a terminal, else a line every two seconds and the last. */
    static final class CountBar {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final boolean tty;
        private final String label;
        private final long total;
        private long last = Long.MIN_VALUE;

        CountBar(PrintWriter err, boolean tty, String label, long total) {
            this.err = err;
            this.tty = tty;
            this.label = label;
            this.total = total;
        }

        void update(long done) {
            long now = System.nanoTime();
            long every = tty ? ProgressBar.TTY_EVERY_NANOS : ProgressBar.PLAIN_EVERY_NANOS;
            if (last != Long.MIN_VALUE && now - last < every) {
                return;
            }
            last = now;
            draw(done, false);
        }

        void finish(long done) {
            draw(done, true);
        }

        private void draw(long done, boolean end) {
            double f = total <= 0 ? 1 : Math.min(1.0, (double) done / total);
            String text = String.format(Locale.ROOT, "%3d%%  %,d of %,d messages", (int) Math.floor(f * 100), done,
                    total);
            if (tty) {
                int filled = (int) Math.floor(f * WIDTH);
                err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + text + "\033[K");
                if (end) {
                    err.println();
                }
            } else {
                err.println(label + ": " + text + (end ? ", done" : ""));
            }
            err.flush();
        }
    }
}
