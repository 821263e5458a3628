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
    void under_a_short_load_every_order_is_decided_on_its_merits_and_the_counts_add_up() throws Exception {
        SustainedLoad.Result r = SustainedLoad.run(LocalAws.shared(),
                new SustainedLoad.Config(3, 5, 180, 1));

        assertThat(r.ordersCreated()).as("orders created").isPositive();
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
        assertThat(SustainedLoad.section(r)).contains("## 11. Sustained load", "| s | created | decided | backlog |");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r)) // load.json
                .contains("\"ordersCreated\":" + r.ordersCreated());
    }
}
