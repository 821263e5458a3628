package dev.nosqles.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldsTest {
    /** Regression (issue 16): the integer-digit check overflowed an int and setScale then threw. */
    @ParameterizedTest
    @ValueSource(strings = {"1E+2147483647", "99E+2147483646", "1E+2147483646", "1E+14", "10000000000000"})
    void an_amount_beyond_the_bound_is_refused_whatever_its_exponent(String value) {
        assertThatThrownBy(() -> Fields.positiveAmount("creditLimit", new BigDecimal(value)))
                .isInstanceOfSatisfying(InvalidCommandException.class,
                        e -> assertThat(e.field()).isEqualTo("creditLimit"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1E-2147483647", "0.001", "1.005"})
    void an_amount_with_more_than_two_places_is_refused(String value) {
        assertThatThrownBy(() -> Fields.positiveAmount("amount", new BigDecimal(value)))
                .isInstanceOf(InvalidCommandException.class).hasMessage("amount must have at most 2 decimal places");
    }

    @Test
    void the_largest_amount_and_the_smallest_are_accepted_with_two_places() {
        assertThat(Fields.amount("a", "9999999999999.99")).isEqualTo(new BigDecimal("9999999999999.99"));
        assertThat(Fields.amount("a", "0.01")).isEqualTo(new BigDecimal("0.01"));
        assertThat(Fields.amount("a", "7")).isEqualTo(new BigDecimal("7.00"));
        assertThat(Fields.positiveAmount("a", new BigDecimal("1.500"))).isEqualTo(new BigDecimal("1.50"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e2", "1E2", "+5", "-5", ".5", "5.", " 12.50 ", "12.50 ", "\u0661\u0662", "\uff11",
        "012", "00", "0", "0.00", "1.001", "1,00", "10000000000000", "NaN", "Infinity", "0x10", "", "1_000", "٫5"})
    void an_amount_outside_the_one_grammar_is_refused_before_it_becomes_a_number(String text) {
        assertThatThrownBy(() -> Fields.amount("orderTotal", text))
                .isInstanceOfSatisfying(InvalidCommandException.class,
                        e -> assertThat(e.field()).isEqualTo("orderTotal"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "\u001b[31mred", "a\u007fb", "a\u0085b", "\u202Eevil", "a\u2066b",
        "a\u200Fb", "a\u2028b", "a\ud800b", "a\udc00b", "x\ufffe", "tab\there", "new\nline"})
    void a_text_with_control_bidi_or_broken_characters_is_refused(String text) {
        assertThatThrownBy(() -> Fields.text("name", text)).isInstanceOf(InvalidCommandException.class)
                .hasMessageStartingWith("name must not contain");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\u200B\u200B\u200B", "\uFEFF", "\u3000\u00A0", "\u2060\u200D", "\u00AD"})
    void a_text_of_only_blanks_or_invisible_characters_is_blank(String text) {
        assertThatThrownBy(() -> Fields.text("name", text)).isInstanceOf(InvalidCommandException.class)
                .hasMessage("name must not be blank");
    }

    @Test
    void text_length_is_counted_in_code_points_after_trimming_invisible_characters() {
        String emoji = "\uD83D\uDE00";
        assertThat(Fields.text("name", "\u200B" + emoji.repeat(200) + " ")).isEqualTo(emoji.repeat(200));
        assertThatThrownBy(() -> Fields.text("name", emoji.repeat(201)))
                .hasMessage("name must have at most 200 characters");
        assertThat(Fields.text("name", " Zoë 👩‍👩‍👧 ")).isEqualTo("Zoë 👩‍👩‍👧");
        assertThat(Fields.text("name", "عربي")).isEqualTo("عربي");
    }
}
