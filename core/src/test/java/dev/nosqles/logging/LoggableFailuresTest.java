package dev.nosqles.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.EventSourcingException;
import dev.nosqles.internal.Json;
import dev.nosqles.saga.SagaMessageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** What of a failure reaches a log line: the stack trace always, a message only when it cannot quote input. */
class LoggableFailuresTest {
    private static final String SECRET = "4111-1111-1111-1111";

    record Card(int number) {
    }

    private static Exception jacksonFailure() {
        try {
            Json.mapper().readValue("{\"number\":\"" + SECRET + "\"}", Card.class);
            throw new AssertionError("Jackson read a number from text");
        } catch (Exception e) {
            return e;
        }
    }

    private static String printed(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void a_jackson_failure_is_logged_by_its_class_and_stack_without_the_input_it_quotes() {
        Exception failure = jacksonFailure();
        assertThat(failure.getMessage()).as("the fault this guards against").contains(SECRET);

        Throwable loggable = LoggableFailures.loggable(new IllegalStateException("wrapped", failure));

        String printed = printed(loggable);
        assertThat(printed).doesNotContain(SECRET)
                .contains("wrapped", IllegalStateException.class.getName(), failure.getClass().getName(),
                        "LoggableFailuresTest.jacksonFailure");
        assertThat(LoggableFailures.describe(failure)).doesNotContain(SECRET).contains(failure.getClass().getName());
    }

    @Test
    void a_wrapper_that_repeats_a_quoting_causes_message_loses_it_too() {
        Exception failure = jacksonFailure();
        java.io.UncheckedIOException wrapper = new java.io.UncheckedIOException(
                (java.io.IOException) failure); // its message is failure.toString(): it quotes the secret
        assertThat(wrapper.getMessage()).as("the fault this guards against").contains(SECRET);

        String printed = printed(LoggableFailures.loggable(wrapper));

        assertThat(printed).doesNotContain(SECRET).contains(java.io.UncheckedIOException.class.getName(),
                failure.getClass().getName());
        assertThat(LoggableFailures.describe(wrapper)).doesNotContain(SECRET);
    }

    @Test
    void the_framework_and_sdk_exceptions_keep_their_messages_and_are_logged_as_they_are() {
        EventSourcingException framework = new SagaMessageException("command", "command", "is not valid");
        SdkClientException sdk = SdkClientException.create("connection refused");

        assertThat(LoggableFailures.loggable(framework)).isSameAs(framework);
        assertThat(LoggableFailures.loggable(sdk)).isSameAs(sdk);
        assertThat(LoggableFailures.describe(framework)).contains("is not valid");
    }

    @Test
    void a_framework_exception_with_a_quoting_cause_keeps_its_own_message_only() {
        SdkClientException outer = SdkClientException.builder().message("request failed").cause(jacksonFailure())
                .build();

        String printed = printed(LoggableFailures.loggable(outer));

        assertThat(printed).contains("request failed").doesNotContain(SECRET);
    }

    @Test
    void an_applications_own_exception_keeps_its_message_and_the_jdk_parsers_do_not() {
        IllegalStateException own = new IllegalStateException("order 7 is not pending");
        assertThat(LoggableFailures.loggable(own)).isSameAs(own);

        Throwable parse = LoggableFailures.loggable(new IllegalArgumentException("bad amount",
                new NumberFormatException("For input string: \"" + SECRET + "\"")));
        Throwable time = LoggableFailures.loggable(new java.time.format.DateTimeParseException(
                "Text '" + SECRET + "' could not be parsed", SECRET, 0));

        assertThat(printed(parse)).contains("bad amount", NumberFormatException.class.getName()).doesNotContain(SECRET);
        assertThat(printed(time)).contains("DateTimeParseException").doesNotContain(SECRET);
    }
}
