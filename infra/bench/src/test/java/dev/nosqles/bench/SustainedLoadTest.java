package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import org.junit.jupiter.api.Test;

/**
 * Section 11, scaled down for {@code make test} (3 clients for 5 s; {@code make bench} runs 20 clients for 60 s):
 * against the local runtime with every poller running, every order is decided, on its merits, and the counts
 * read from the streams add up.
 */
class SustainedLoadTest {
    @Test
    void under_a_short_paced_load_every_order_is_decided_on_its_merits_and_the_counts_add_up() throws Exception {
        // 3 clients, 6 requests per second in all: each client a customer and an order every second
        SustainedLoad.Result r = SustainedLoad.run(LocalAws.shared(),
                new SustainedLoad.Config(3, 5, 180, 1, 6));

        assertThat(r.ordersCreated()).as("orders created, at most one per client per second").isBetween(6L, 18L);
        assertThat(r.requestsFailed()).isZero();
        assertThat(r.requestsAnswered()).isEqualTo(2 * r.ordersCreated()); // a customer and an order each
        assertThat(r.undecided()).isZero();
        assertThat(r.rejectedByDeadline()).as("within the limit, rejected all the same").isZero();
        assertThat(r.approvedOverLimit()).isZero();
        assertThat(r.approved() + r.rejectedOnMerits()).isEqualTo(r.ordersCreated());
        assertThat(r.reasons().keySet()).allMatch(reason -> reason.contains("credit"));
        assertThat(r.curve()).isNotEmpty();
        assertThat(r.curve().getLast().backlog()).isZero();
        assertThat(r.curve().getLast().created()).isEqualTo(r.ordersCreated());
        assertThat(r.awsRequestsPerOrder()).isPositive();
        assertThat(SustainedLoad.checks(r)).allMatch(Check::passed);
        assertThat(SustainedLoad.section(r)).contains("## 11. Sustained load", "| s | created | decided | backlog |",
                "paced to 6 requests per second in all");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r)) // load.json
                .contains("\"ordersCreated\":" + r.ordersCreated());
    }

    @Test
    void the_decision_rate_after_the_load_counts_from_the_loads_end_to_the_last_interval_with_a_decision() {
        SustainedLoad.Config config = new SustainedLoad.Config(20, 10, 600, 5);
        java.util.List<SustainedLoad.Point> curve = java.util.List.of(
                new SustainedLoad.Point(5, 40, 0, 40, 100, 0.5), new SustainedLoad.Point(10, 80, 10, 70, 100, 0.5),
                new SustainedLoad.Point(15, 80, 40, 40, 100, 0.5), new SustainedLoad.Point(20, 80, 60, 20, 100, 0.5),
                new SustainedLoad.Point(25, 80, 60, 20, 100, 0.5));
        SustainedLoad.Result result = new SustainedLoad.Result(config, 160, 0, 80, 8, 60, 0, 0, 0, 20, Double.NaN,
                100, 100, 0.5, 10, curve, java.util.Map.of(), java.util.Map.of("dynamodb.PutItem", 3.0));
        org.assertj.core.api.Assertions.assertThat(SustainedLoad.decisionRateAfterLoad(result)).isEqualTo(5.0);
        SustainedLoad.Result none = new SustainedLoad.Result(config, 160, 0, 80, 8, 10, 0, 0, 0, 70, Double.NaN,
                100, 100, 0.5, 10, curve.subList(0, 2), java.util.Map.of(), java.util.Map.of());
        org.assertj.core.api.Assertions.assertThat(SustainedLoad.decisionRateAfterLoad(none)).isNaN();
        // both runs in the section: the goal's load first, then the stress run, each with its own numbers
        String section = SustainedLoad.section(new SustainedLoad.Runs(result, none));
        org.assertj.core.api.Assertions.assertThat(section).contains("**Goal** (issue 15)",
                "### The same clients as fast as they are answered", "Not the goal's load");
        org.assertj.core.api.Assertions.assertThat(section.indexOf("**Goal**"))
                .isLessThan(section.indexOf("### The same clients"));
    }
}
