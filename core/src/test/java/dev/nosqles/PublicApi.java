package dev.nosqles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The public types of core: the public top-level types of its non-internal packages and their public member types
 * (member types of interfaces are implicitly public), every enclosing type public too. Read from a directory of
 * compiled classes by reflection, without initialising a class.
 *
 * <p>{@code main(classesDir, outFile)} writes the list (one canonical name a line, sorted) for a build of another
 * commit; {@link PublicApiTest} compares core's own with {@code src/test/resources/public-api.txt}.
 */
public final class PublicApi {
    private PublicApi() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: PublicApi <classes directory> <output file>");
        }
        Files.write(Path.of(args[1]), types(Path.of(args[0])));
    }

    /** The public types compiled into {@code classes}, sorted by canonical name ({@code Outer.Inner} for a member type). */
    public static List<String> types(Path classes) {
        Set<String> types = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes);
             URLClassLoader loader = new ChildFirst(classes.toUri().toURL())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String relative = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                if (name.endsWith("package-info") || name.endsWith("module-info") || isInternal(name)) {
                    continue;
                }
                Class<?> type;
                try {
                    type = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IllegalStateException("cannot load " + name + " from " + classes, e);
                }
                if (isPublic(type)) {
                    types.add(type.getCanonicalName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(types);
    }

    private static boolean isInternal(String className) {
        String pkg = className.contains(".") ? className.substring(0, className.lastIndexOf('.')) : "";
        return List.of(pkg.split("\\.")).contains("internal");
    }

    /** Public, and (for a member type) declared public or in an interface, inside a public type. */
    private static boolean isPublic(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        Class<?> outer = type.getDeclaringClass();
        if (outer == null) {
            return Modifier.isPublic(type.getModifiers());
        }
        boolean own = Modifier.isPublic(type.getModifiers()) || outer.isInterface();
        return own && isPublic(outer);
    }

    /** Loads the project's classes from the given directory first (another build of core than the test's own). */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL classes) throws MalformedURLException {
            super(new URL[] {classes}, PublicApi.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && name.startsWith("dev.nosqles.")) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        c = null;
                    }
                }
                if (c == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
