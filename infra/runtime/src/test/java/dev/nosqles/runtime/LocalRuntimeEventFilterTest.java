package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A stream mapping's FilterCriteria, honoured by the local runtime on moto. template.yaml has one reader of the events
 * stream, unfiltered (ADR 0012); this test adds a second function to a copy of it, with the filter an application
 * would put on a reader of Order and Customer commits only: the saga orchestrators' commits are on the stream (the
 * saga function reads them) but never reach it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeEventFilterTest {
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;

    /** A second reader of the events stream, filtered to Order and Customer commits. */
    static final String FILTERED_READER = """
              FilteredReaderFunction:
                Type: AWS::Serverless::Function
                Metadata:
                  BuildMethod: makefile
                Properties:
                  CodeUri: .
                  Handler: dev.nosqles.runtime.fixtures.AcceptingStreamHandler::handleRequest
                  Events:
                    EventsStream:
                      Type: DynamoDB
                      Properties:
                        Stream: !GetAtt EventsTable.StreamArn
                        StartingPosition: TRIM_HORIZON
                        BatchSize: 100
                        MaximumBatchingWindowInSeconds: 0
                        BisectBatchOnFunctionError: true
                        MaximumRetryAttempts: 10
                        FunctionResponseTypes:
                          - ReportBatchItemFailures
                        FilterCriteria:
                          Filters:
                            - Pattern: '{"dynamodb":{"NewImage":{"streamId":{"S":[{"prefix":"Order-"},{"prefix":"Customer-"}]}}}}'
                        DestinationConfig:
                          OnFailure:
                            Type: SQS
                            Destination: !GetAtt StreamFailuresQueue.Arn

            """;

    @BeforeAll
    void start() throws IOException {
        String yaml = Files.readString(LocalRuntime.findTemplate());
        String anchor = "  OrderSagaStreamFunction:\n";
        assertThat(yaml).contains(anchor);
        Path template = Files.createTempFile("filtered-reader-", ".yaml");
        Files.writeString(template, yaml.replace(anchor, FILTERED_READER + anchor));
        template.toFile().deleteOnExit();
        app = LocalRuntime.start(LocalRuntime.Options.of(template)
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("filter-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void a_saga_stream_commit_does_not_invoke_the_filtered_reader_while_an_order_commit_does() {
        ApiClient.Response customer = api.send("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}");
        assertThat(customer.status()).isEqualTo(201);
        String customerId = customer.body().get("customerId").asText();
        app.drainUntilIdle();
        log.clear();

        ApiClient.Response order = api.send("POST", "/orders",
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"30\"}");
        assertThat(order.status()).isEqualTo(201);
        app.drainUntilIdle();
        assertThat(api.get("/orders/" + order.body().get("orderId").asText()).body().get("state").asText())
                .isEqualTo("APPROVED");

        List<String> saga = log.stream().filter(l -> l.startsWith("OrderSagaStreamFunction <- EventsStream: "))
                .toList();
        List<String> filtered = log.stream().filter(l -> l.startsWith("FilteredReaderFunction <- EventsStream: "))
                .toList();
        // the saga's commits were on the stream: the other reader got them
        assertThat(saga).anySatisfy(l -> assertThat(l).contains("CreateOrderSaga-"));
        // the filtered reader got the Order and Customer commits and never a saga commit
        assertThat(filtered).anySatisfy(l -> assertThat(l).contains("Order-"))
                .anySatisfy(l -> assertThat(l).contains("Customer-"))
                .noneSatisfy(l -> assertThat(l).contains("CreateOrderSaga-"))
                .allSatisfy(l -> assertThat(l).endsWith(" ms").contains("-> ok"));
        // fewer invocations than the unfiltered reader: batches holding only saga commits invoked nobody
        long sagaOnly = saga.stream().filter(LocalRuntimeEventFilterTest::onlySagaCommits).count();
        assertThat(sagaOnly).isPositive();
        assertThat(filtered.size()).isLessThan(saga.size());
    }

    /** A logged batch whose every record is a CreateOrderSaga commit. */
    private static boolean onlySagaCommits(String line) {
        String records = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
        for (String r : records.split(", ")) {
            if (!r.startsWith("CreateOrderSaga-")) {
                return false;
            }
        }
        return true;
    }
}
