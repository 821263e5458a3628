package dev.nosqles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Core's public surface is a decision, not an accident: the public types of its non-internal packages must be
 * exactly those listed in {@code src/test/resources/public-api.txt}. A change to the surface changes that file in
 * the same commit (regenerate it with {@code -Dpublic-api.update=true}), so a review sees it.
 */
class PublicApiTest {
    private static final Path LISTED = Path.of("src/test/resources/public-api.txt");

    @Test
    void core_public_types_are_the_listed_ones() throws Exception {
        List<String> actual = PublicApi.types(coreClasses());
        assertThat(actual).as("public types found").contains(EventSourcingException.class.getName())
                .noneMatch(name -> name.contains(".internal."));
        if (Boolean.getBoolean("public-api.update")) {
            Files.write(LISTED, actual);
        }
        List<String> listed = Files.readAllLines(LISTED).stream().filter(l -> !l.isBlank()).toList();

        List<String> added = new ArrayList<>(actual);
        added.removeAll(listed);
        List<String> removed = new ArrayList<>(listed);
        removed.removeAll(actual);
        assertThat(added.isEmpty() && removed.isEmpty())
                .as("core's public API changed.%n added: %s%n removed: %s%nIf intended, regenerate %s with "
                        + "mvn -pl core test -Dtest=PublicApiTest -Dpublic-api.update=true and commit it.",
                        added, removed, LISTED)
                .isTrue();
    }

    @Test
    void the_scanner_lists_public_and_interface_member_types_but_not_internal_or_package_private_ones()
            throws Exception {
        List<String> types = PublicApi.types(coreClasses());

        assertThat(types)
                .as("a public interface, a public member class, a member of an interface (implicitly public)")
                .contains("dev.nosqles.store.EventStore", "dev.nosqles.dynamodb.DynamoDbEventStore.Builder",
                        "dev.nosqles.store.EventStore.MessageCommit")
                .as("internal packages, private member types, test classes")
                .doesNotContain("dev.nosqles.dynamodb.internal.CommitItems", "dev.nosqles.internal.Json",
                        "dev.nosqles.subscription.EventDispatcher.Indexed", PublicApi.class.getCanonicalName());
    }

    private static Path coreClasses() throws URISyntaxException, IOException {
        Path classes = Path.of(EventSourcingException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(Files.isDirectory(classes)).as(classes + " is core's classes directory").isTrue();
        return classes;
    }
}
