package dev.nosqles.projection;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.testsupport.BankAccount;
import org.junit.jupiter.api.Test;

/** What Projection.build() refuses. */
class ProjectionTest {
    record WithPk(String pk, String value) {
    }

    record WithV(String id, long v) {
    }

    record WithGsi(String id, String gsi2sk) {
    }

    @Test
    void row_components_named_like_the_tables_own_attributes_are_refused() {
        assertThatThrownBy(() -> Projection.builder("p", WithPk.class, WithPk::value)
                .on(new BankAccount(), (e, rows) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pk").hasMessageContaining("reserved");
        assertThatThrownBy(() -> Projection.builder("p", WithV.class, WithV::id)
                .on(new BankAccount(), (e, rows) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> Projection.builder("p", WithGsi.class, WithGsi::id)
                .on(new BankAccount(), (e, rows) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gsi2sk");
    }
}
