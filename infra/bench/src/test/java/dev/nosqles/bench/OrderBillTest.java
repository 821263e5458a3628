package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bill per order, pinned: on the local runtime with the real template.yaml, three orders APPROVED (a fresh
 * customer each) and one REJECTED, every AWS request counted by {@link BillMeter}. The counts are exact, not a
 * band: the orders go one at a time and the pollers are drained after each, so every stream batch and every
 * receive holds one order's records or messages. Under concurrent load batches hold several orders and the
 * invocations, receives, deletes and checkpoint writes per order fall; that is not what is pinned here. Left out
 * as not per order: the pollers' empty receives (how often the drain looks, on Lambda a fixed idle cost per
 * queue), DynamoDB Streams reads (free for Lambda triggers) and the local runtime's own checkpoint table.
 *
 * <p>A change that adds one request or one unit per order fails this test: update the figures (and the
 * benchmarks page) in the same commit, saying why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderBillTest {
    private OrderBill.Result bill;

    @BeforeAll
    void placeOrders() throws Exception {
        bill = OrderBill.run(LocalAws.shared(), new OrderBill.Config(3));
    }

    @Test
    void every_approved_order_costs_exactly_the_same() {
        assertThat(bill.approvedOrders()).isEqualTo(3);
        assertThat(bill.deterministic()).as(bill.outcome()).isTrue();
        assertThat(bill.approved()).allSatisfy(r -> assertThat(r.min()).as(r.toString()).isEqualTo(r.max()));
        assertThat(OrderBill.checks(bill)).allMatch(Check::passed);
    }

    @Test
    void an_approved_order_writes_and_reads_these_units_per_table() {
        assertThat(perResource(bill.approved(), r -> r.service().equals("DynamoDB") && r.what().startsWith("WRU")
                && billedTable(r))).isEqualTo(Map.of(
                "CheckpointsTable", 35.0,
                "EventsTable", 10.0,
                "ReadModelsTable", 9.0, // 4 on the table, 5 on its two indexes
                "SagaDeadlinesTable", 5.0));
        assertThat(perResource(bill.approved(), r -> r.service().equals("DynamoDB") && r.what().equals("RRU")
                && billedTable(r))).isEqualTo(Map.of(
                "CheckpointsTable", 19.0,
                "EventsTable", 7.0,
                "ReadModelsTable", 1.0,
                "SnapshotsTable", 2.0,
                "SubjectKeysTable", 1.0));
        assertThat(bill.approvedTotals().writeUnits()).isEqualTo(59.0);
        assertThat(bill.approvedTotals().readUnits()).isEqualTo(30.0);
    }

    @Test
    void an_approved_order_makes_these_requests_per_queue_and_topic_and_invocations_per_function() {
        assertThat(perResource(bill.approved(), OrderBillTest::billedSqsRequest)).isEqualTo(Map.of(
                "CustomerCommandsQueue", 3.0, // send, receive, delete batch
                "OrderCommandsQueue", 3.0,
                "SagaRepliesQueue", 12.0)); // 2 replies + 2 deadlines sent, each received and deleted alone
        assertThat(perResource(bill.approved(), r -> r.service().equals("SNS"))).isEqualTo(Map.of(
                "EventsTopic", 3.0));
        assertThat(perResource(bill.approved(), r -> r.service().equals("Lambda"))).isEqualTo(Map.of(
                "ApiFunction", 1.0,
                "CustomerCommandsFunction", 1.0,
                "EventPublisherFunction", 7.0,
                "OrderCommandsFunction", 1.0,
                "OrderSagaStreamFunction", 8.0,
                "SagaRepliesFunction", 4.0)); // 2 replies, 2 deadlines (each a commit, read by both stream functions)
        assertThat(perResource(bill.approved(), r -> r.service().equals("kms"))).isEqualTo(Map.of("-", 1.0));
    }

    @Test
    void a_rejected_order_and_the_setup_are_counted_apart() {
        OrderBill.Totals rejected = bill.rejectedTotals();
        assertThat(List.of(rejected.writeUnits(), rejected.readUnits(), rejected.sqsRequests(),
                rejected.snsPublishes(), rejected.lambdaInvocations())).containsExactly(59.0, 30.0, 18.0, 2.0, 22.0);
        OrderBill.Totals customer = OrderBill.totals(bill.customerCreate());
        assertThat(List.of(customer.writeUnits(), customer.readUnits(), customer.lambdaInvocations()))
                .containsExactly(6.0, 2.0, 3.0);
    }

    @Test
    void the_dollars_follow_from_the_counts_and_the_step_functions_transitions_from_the_sketch() {
        double dynamoDb = bill.approvedTotals().writeUnits() * Pricing.WRITE_PER_MILLION
                + bill.approvedTotals().readUnits() * Pricing.READ_PER_MILLION;
        double total = bill.approved().stream().mapToDouble(OrderBill.Row::dollarsPerMillionOrders).sum();
        assertThat(bill.approvedTotals().dollarsPerMillionOrders()).isCloseTo(total, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(total).isGreaterThan(dynamoDb);
        assertThat(bill.stepFunctions().transitionsApproved()).isEqualTo(3);
        assertThat(bill.stepFunctions().transitionDollarsPerMillionOrders())
                .isCloseTo(75.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(OrderBill.section(bill)).contains("## 9. The bill per order", "Goal: at most half",
                "StartAt: ReserveCredit");
    }

    private static boolean billedTable(OrderBill.Row r) {
        return !r.resource().equals(OrderBill.RUNTIME_CHECKPOINTS);
    }

    private static boolean billedSqsRequest(OrderBill.Row r) {
        return r.service().equals("SQS") && !r.what().equals("messages received")
                && !r.what().startsWith("ReceiveMessage (empty)");
    }

    private static Map<String, Double> perResource(List<OrderBill.Row> rows, Predicate<OrderBill.Row> which) {
        Map<String, Double> sums = new TreeMap<>();
        rows.stream().filter(which).forEach(r -> sums.merge(r.resource(), r.perOrder(), Double::sum));
        return sums;
    }
}
