package dev.nosqles.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import org.junit.jupiter.api.Test;

class OrderBillTest {
    @Test
    void explore() throws Exception {
        OrderBill.Result r = OrderBill.run(LocalAws.shared(), new OrderBill.Config(3));
        r.approved().forEach(System.out::println);
        System.out.println(r.approvedTotals());
        r.byFunction().forEach(System.out::println);
        System.out.println("REJ");
        r.rejected().forEach(System.out::println);
        System.out.println("CUST");
        r.customerCreate().forEach(System.out::println);
        System.out.println("READ");
        r.readOrder().forEach(System.out::println);
        System.out.println(r.stepFunctions());
        System.out.println(r.memoryMb());
        assertThat(r.deterministic()).isTrue();
    }
}
