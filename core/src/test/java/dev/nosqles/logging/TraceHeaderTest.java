package dev.nosqles.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.store.EventMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The trace header a handler sends on: the handled work's, else the running invocation's. */
class TraceHeaderTest {
    private static final String PROPERTY = "com.amazonaws.xray.traceHeader";
    private static final String INVOCATION = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    private static final String EVENTS = "Root=1-67891233-abcdef012345678912345678;Parent=1111111111111111;Sampled=1";

    @AfterEach
    void clear() {
        MDC.clear();
        System.clearProperty(PROPERTY);
    }

    @Test
    void the_header_of_the_work_in_scope_wins_over_the_invocations() {
        System.setProperty(PROPERTY, INVOCATION);
        assertThat(LogContext.traceHeader()).isEqualTo(INVOCATION);

        try (LogContext scope = LogContext.open().put(LogContext.TRACE_HEADER, EVENTS)) {
            assertThat(LogContext.traceHeader()).isEqualTo(EVENTS);
        }

        assertThat(LogContext.traceHeader()).as("after the scope").isEqualTo(INVOCATION);
    }

    @Test
    void outside_lambda_and_any_scope_there_is_none_and_an_oversized_header_is_not_sent_on() {
        assertThat(LogContext.traceHeader()).isNull();

        System.setProperty(PROPERTY, "x".repeat(10_000));

        assertThat(LogContext.traceHeader()).isNull();
        assertThat(EventMetadata.empty().traceHeader()).isNull();
    }
}
