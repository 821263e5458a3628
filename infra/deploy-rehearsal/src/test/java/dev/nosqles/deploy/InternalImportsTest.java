package dev.nosqles.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * "Internal is internal" (ADR 0010): a package whose name has an {@code internal} segment may be used only by the
 * Maven module that declares it. Reads the source tree (main and test code of every module: core, lambda-handlers,
 * infra/*) and fails on any import or fully-qualified reference of another module's internal package. A module
 * owns the internal packages it declares, so no internal package may be declared by two modules; and the SAM
 * template (no module's) and every module's resource files may not name another module's internal package either
 * (a {@code Handler:}, a logger, a service file).
 */
class InternalImportsTest {
    /** A package name (lower-case segments) followed by a type name or a wildcard. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])((?:[a-z_][a-z0-9_]*\\.)+[a-z_][a-z0-9_]*)\\.(?:[A-Z]|\\*)");

    @Test
    void no_module_uses_an_internal_package_another_module_declares() {
        Path root = repositoryRoot();
        Map<Path, Set<String>> modules = modules(root);
        assertThat(modules.keySet()).as("modules found under " + root)
                .contains(root.resolve("core"), root.resolve("lambda-handlers"), root.resolve("infra/operations"),
                        root.resolve("infra/runtime"), root.resolve("infra/cli"), root.resolve("infra/bench"));
        List<String> violations = new ArrayList<>();
        long scanned = 0;
        for (Map.Entry<Path, Set<String>> module : modules.entrySet()) {
            for (Path file : javaFiles(module.getKey())) {
                scanned++;
                for (String pkg : foreignInternalPackages(read(file), module.getValue())) {
                    violations.add(root.relativize(file) + " uses " + pkg);
                }
            }
        }
        assertThat(scanned).as("java files scanned").isGreaterThan(100);
        assertThat(violations)
                .as("internal packages used outside the module that declares them (make the API public, or give "
                        + "the module its own helper)")
                .isEmpty();
    }

    @Test
    void no_internal_package_is_declared_by_more_than_one_module() {
        Path root = repositoryRoot();
        Map<String, List<String>> shared = internalPackagesDeclaredTwice(root, modules(root));

        assertThat(shared)
                .as("internal packages declared by more than one module (a module owns the internal packages it "
                        + "declares: a second one declaring the same package would use the first's without imports)")
                .isEmpty();
    }

    @Test
    void template_and_resources_name_no_internal_package_of_another_module() {
        Path root = repositoryRoot();
        Map<Path, Set<String>> modules = modules(root);
        List<String> violations = new ArrayList<>();
        Path template = root.resolve("template.yaml");
        assertThat(template).as("the SAM template").isRegularFile();
        // the template belongs to no module: a Handler (or anything else) in an internal package is a leak
        for (String pkg : foreignInternalReferences(read(template), Set.of())) {
            violations.add("template.yaml names " + pkg);
        }
        long scanned = 1;
        for (Map.Entry<Path, Set<String>> module : modules.entrySet()) {
            for (Path file : resourceFiles(module.getKey())) {
                scanned++;
                for (String pkg : foreignInternalReferences(readAnyText(file), module.getValue())) {
                    violations.add(root.relativize(file) + " names " + pkg);
                }
            }
        }
        assertThat(scanned).as("template and resource files scanned").isGreaterThan(3);
        assertThat(violations)
                .as("internal packages named in a template or resource file outside the module that declares them")
                .isEmpty();
    }

    @Test
    void the_resource_scanner_finds_handlers_and_names_of_internal_packages_but_not_public_or_own_ones() {
        String template = """
                Resources:
                  Leaky:
                    Properties:
                      Handler: dev.nosqles.app.saga.internal.SagaWiring::handleRequest
                  Fine:
                    Properties:
                      Handler: dev.nosqles.app.saga.OrderSagaStreamHandler::handleRequest
                logger.wiring.name = dev.nosqles.lambda.internal
                logger.own.name = dev.nosqles.runtime.internal.Local
                other: dev.nosqles.internalish.NotInternal software.amazon.awssdk.internal.Thing
                """;

        Set<String> found = foreignInternalReferences(template, Set.of("dev.nosqles.runtime.internal"));

        assertThat(found).containsExactlyInAnyOrder("dev.nosqles.app.saga.internal", "dev.nosqles.lambda.internal");
    }

    @Test
    void an_internal_package_declared_by_two_modules_is_found_and_a_shared_public_one_is_not() {
        Path root = Path.of("/repo");
        Map<Path, Set<String>> modules = new TreeMap<>(Map.of(
                root.resolve("core"), Set.of("dev.nosqles.internal", "dev.nosqles.store", "dev.nosqles.testsupport"),
                root.resolve("infra/bench"), Set.of("dev.nosqles.internal", "dev.nosqles.bench",
                        "dev.nosqles.testsupport"),
                root.resolve("infra/runtime"), Set.of("dev.nosqles.runtime.internal")));

        assertThat(internalPackagesDeclaredTwice(root, modules))
                .containsExactlyEntriesOf(Map.of("dev.nosqles.internal", List.of("core", "infra/bench")));
    }

    @Test
    void the_scanner_finds_imports_static_imports_wildcards_and_qualified_uses_but_not_comments_or_strings() {
        String source = """
                package dev.nosqles.app;

                import dev.nosqles.internal.Json;
                import static dev.nosqles.saga.internal.SagaIds.sagaId;
                import dev.nosqles.dynamodb.internal.*;
                import dev.nosqles.app.internal.AppJson;
                import dev.nosqles.store.StreamId;

                // dev.nosqles.comment.internal.InAComment
                /** {@link dev.nosqles.javadoc.internal.InJavadoc} */
                class Sample {
                    String s = "dev.nosqles.string.internal.InAString";
                    Object o = dev.nosqles.projection.internal.ReadModelRegistry.SUBSCRIBER;
                    Object p = dev.nosqles.internalish.NotInternal.X;
                }
                """;

        Set<String> found = foreignInternalPackages(source, Set.of("dev.nosqles.app", "dev.nosqles.app.internal"));

        assertThat(found).containsExactlyInAnyOrder("dev.nosqles.internal", "dev.nosqles.saga.internal",
                "dev.nosqles.dynamodb.internal", "dev.nosqles.projection.internal");
    }

    /** The internal packages {@code source} refers to that are not among {@code ownPackages}. */
    static Set<String> foreignInternalPackages(String source, Set<String> ownPackages) {
        Set<String> found = new TreeSet<>();
        Matcher m = QUALIFIED.matcher(code(source));
        while (m.find()) {
            String pkg = m.group(1);
            if (List.of(pkg.split("\\.")).contains("internal") && !ownPackages.contains(pkg)) {
                found.add(pkg);
            }
        }
        return found;
    }

    /** A {@code dev.nosqles} name in plain text (a Handler, a logger name): its package, lower-case segments. */
    private static final Pattern NAMED_PACKAGE = Pattern.compile(
            "(?<![\\w.])(dev\\.nosqles(?:\\.[a-z_][a-z0-9_]*)+)");

    /**
     * The internal packages of the framework's name space that a text (the template, a resource file) names and
     * that are not among {@code ownPackages}: a class name's package, or a package name itself.
     */
    static Set<String> foreignInternalReferences(String text, Set<String> ownPackages) {
        Set<String> found = new TreeSet<>();
        Matcher m = NAMED_PACKAGE.matcher(text);
        while (m.find()) {
            String pkg = m.group(1);
            if (List.of(pkg.split("\\.")).contains("internal") && !ownPackages.contains(pkg)) {
                found.add(pkg);
            }
        }
        return found;
    }

    /** Each package with an {@code internal} segment that several modules declare, to those modules (relative). */
    static Map<String, List<String>> internalPackagesDeclaredTwice(Path root, Map<Path, Set<String>> modules) {
        Map<String, List<String>> declaredBy = new TreeMap<>();
        for (Map.Entry<Path, Set<String>> module : modules.entrySet()) {
            for (String pkg : module.getValue()) {
                if (List.of(pkg.split("\\.")).contains("internal")) {
                    declaredBy.computeIfAbsent(pkg, k -> new ArrayList<>())
                            .add(root.relativize(module.getKey()).toString());
                }
            }
        }
        declaredBy.values().removeIf(owners -> owners.size() < 2);
        return declaredBy;
    }

    /** {@code source} with comments, string and character literals blanked out (text blocks included). */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                while (end > 0 && source.charAt(end - 1) == '\\') {
                    end = source.indexOf("\"\"\"", end + 1);
                }
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                i = Math.min(n, j + 1);
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The directory holding the parent pom.xml (the one declaring the core module), walking up from here. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && read(pom).contains("<module>core</module>")) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no parent pom.xml above " + Path.of("").toAbsolutePath());
    }

    /** Every Maven module with Java sources (a directory with a pom.xml and src/), to the packages it declares. */
    static Map<Path, Set<String>> modules(Path root) {
        Map<Path, Set<String>> modules = new TreeMap<>();
        try (Stream<Path> poms = Files.walk(root)) {
            poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
                    .map(Path::getParent)
                    .filter(dir -> !skipped(root, dir) && Files.isDirectory(dir.resolve("src")))
                    .forEach(dir -> modules.put(dir, packages(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return modules;
    }

    private static boolean skipped(Path root, Path dir) {
        for (Path part : root.relativize(dir)) {
            String name = part.toString();
            if (name.equals("target") || name.startsWith(".") || name.equals("node_modules")) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> packages(Path module) {
        Set<String> packages = new TreeSet<>();
        for (Path file : javaFiles(module)) {
            Matcher m = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;").matcher(code(read(file)));
            if (m.find()) {
                packages.add(m.group(1));
            }
        }
        return packages;
    }

    /** The .java files under {@code module}/src/main and {@code module}/src/test. */
    private static List<Path> javaFiles(Path module) {
        List<Path> files = new ArrayList<>();
        for (String set : List.of("src/main", "src/test")) {
            Path dir = module.resolve(set);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** The files under {@code module}/src/main/resources and {@code module}/src/test/resources. */
    private static List<Path> resourceFiles(Path module) {
        List<Path> files = new ArrayList<>();
        for (String set : List.of("src/main/resources", "src/test/resources")) {
            Path dir = module.resolve(set);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** A file's bytes as Latin-1 text: any file reads, and ASCII names (what is looked for) come out as they are. */
    private static String readAnyText(Path file) {
        try {
            return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
