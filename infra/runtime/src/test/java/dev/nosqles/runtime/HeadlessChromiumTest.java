package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** infra/bin/chromium.sh as the browser test uses it: a browser that cannot be had fails, with the reason. */
class HeadlessChromiumTest {
    @TempDir
    Path dir;

    @Test
    void a_chromium_that_is_not_there_fails_the_browser_test_with_the_scripts_reason_instead_of_skipping_it() {
        assertThatThrownBy(() -> HeadlessChromium.find(dir, Map.of("CHROMIUM", dir.resolve("no-such-browser")
                .toString())))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("needs Chromium")
                .hasMessageContaining("no-such-browser is not an executable file")
                .hasMessageContaining("apt-get install -y chromium");
    }

    @Test
    void an_explicit_browser_is_used_as_it_is() throws Exception {
        Path fake = Files.writeString(dir.resolve("my-chrome"), "#!/bin/sh\nexit 0\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();

        assertThat(HeadlessChromium.find(dir.resolve("out"), Map.of("CHROMIUM", fake.toString())).binary())
                .isEqualTo(fake);
    }
}
