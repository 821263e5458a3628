package dev.nosqles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.internal.ClassAnnotations.Ann;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The annotations read from a class file are the ones reflection returns, without making an annotation proxy. */
class ClassAnnotationsTest {

    @Retention(RetentionPolicy.RUNTIME)
    @interface Plain {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @interface Every {
        byte b() default 1;

        char c() default 'c';

        short s() default 2;

        boolean z() default false;

        int i() default 3;

        long j() default 4L;

        float f() default 5f;

        double d() default 6d;

        String text() default "t";

        TimeUnit unit() default TimeUnit.SECONDS;

        Class<?> type() default Void.class;

        Plain nested() default @Plain;

        int[] numbers() default {};

        String[] texts() default {"a"};

        TimeUnit[] units() default {};

        Class<?>[] types() default {};

        Plain[] nesteds() default {};
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE_USE, ElementType.FIELD})
    @interface Typed {
    }

    /** Not visible at run time: neither reads it. */
    @Retention(RetentionPolicy.CLASS)
    @interface Invisible {
    }

    @Every(b = -7, c = 'é', s = 300, z = true, i = Integer.MIN_VALUE, j = Long.MAX_VALUE, f = Float.NaN, d = -0.0,
            text = "ünï\u0000code \uD83D\uDE00", unit = TimeUnit.DAYS, type = int[][].class, numbers = {1, 2},
            texts = {}, units = {TimeUnit.HOURS, TimeUnit.MINUTES}, types = {String.class, long.class, void.class},
            nesteds = {@Plain, @Plain})
    @Plain
    @Invisible
    record Annotated(@Every(text = "component") @Plain String name, @Typed List<@Typed String> tags, int count) {
        @Every(i = 1, text = "t")
        Annotated {
        }

        Annotated(@Plain @Every String name, @Every(unit = TimeUnit.NANOSECONDS) int count) {
            this(name, List.of(), count);
        }

        @Override
        @Plain
        public String name() {
            return name;
        }

        @Deprecated(since = "1")
        static Annotated of(String name, @Plain long ignored, double unannotated) {
            return new Annotated(name, 0);
        }

        Supplier<String> lazy() {
            return () -> name;
        }
    }

    @Every(unit = TimeUnit.MILLISECONDS)
    enum Level {
        @Plain LOW,
        HIGH {
            @Every
            @Override
            int weight() {
                return 2;
            }
        };

        @Plain
        int weight() {
            return 1;
        }
    }

    @Plain
    interface Named {
        @Every(texts = {"x", "y"})
        String name();

        @Plain
        default String upper() {
            return name().toUpperCase(java.util.Locale.ROOT);
        }

        static Named of(@Every String name) {
            return () -> name;
        }
    }

    static final class Plainest {
        @Every(d = 1.5)
        private final long[] values = {};

        @Plain
        private static int counter;

        @Every(z = true)
        Plainest(@Plain String a, String b, @Every(c = 'x') char c) {
        }
    }

    @Test
    void every_part_of_a_class_carries_from_its_file_what_reflection_returns() throws Exception {
        List<Class<?>> types = new ArrayList<>(List.of(ClassAnnotationsTest.class, Annotated.class, Level.class,
                Level.HIGH.getClass(), Named.class, Plainest.class, Every.class, Plain.class, Typed.class));
        types.addAll(List.of(RecordJsonTest.class.getDeclaredClasses()));
        for (Class<?> type : types) {
            assertThat(withoutDefaults(ClassAnnotations.read(type))).as(type.getName())
                    .isEqualTo(ClassAnnotations.reflect(type));
        }
    }

    @Test
    void the_values_of_every_kind_of_element_are_read_as_written() throws Exception {
        Ann every = ClassAnnotations.read(Annotated.class).onClass().stream()
                .filter(a -> a.type().equals(Every.class.getName())).findFirst().orElseThrow();

        assertThat(every.values()).containsEntry("b", (byte) -7).containsEntry("c", 'é')
                .containsEntry("s", (short) 300).containsEntry("z", true).containsEntry("i", Integer.MIN_VALUE)
                .containsEntry("j", Long.MAX_VALUE).containsEntry("d", -0.0)
                .containsEntry("text", "ünï\u0000code \uD83D\uDE00")
                .containsEntry("unit", new ClassAnnotations.EnumValue(TimeUnit.class.getName(), "DAYS"))
                .containsEntry("type", new ClassAnnotations.TypeValue("[[I"))
                .containsEntry("numbers", List.of(1, 2)).containsEntry("texts", List.of())
                .containsEntry("types", List.of(new ClassAnnotations.TypeValue("java.lang.String"),
                        new ClassAnnotations.TypeValue("long"), new ClassAnnotations.TypeValue("void")))
                .containsEntry("nesteds", List.of(new Ann(Plain.class.getName(), Map.of()),
                        new Ann(Plain.class.getName(), Map.of())));
        assertThat((Float) every.values().get("f")).isNaN();
        // the class-retention annotation is not there; the canonical constructor's parameters carry theirs
        assertThat(ClassAnnotations.read(Annotated.class).onClass()).extracting(Ann::type)
                .containsExactly(Every.class.getName(), Plain.class.getName());
        ClassAnnotations.Member canonical = ClassAnnotations.read(Annotated.class).methods().get(ClassAnnotations.key(
                "<init>", new Class<?>[] {String.class, List.class, int.class}, void.class));
        assertThat(canonical.parameters()).hasSize(3);
        assertThat(canonical.parameters().get(0)).extracting(Ann::type)
                .containsExactly(Every.class.getName(), Plain.class.getName());
    }

    @Test
    void a_class_without_a_class_file_cannot_be_read() {
        Supplier<String> lambda = () -> "x";

        assertThatThrownBy(() -> ClassAnnotations.read(lambda.getClass()))
                .isInstanceOf(ClassAnnotations.Unreadable.class);
        assertThatThrownBy(() -> ClassAnnotations.read(HiddenResources.hiding(Annotated.class)))
                .isInstanceOf(ClassAnnotations.Unreadable.class);
    }

    @Test
    void a_class_file_found_elsewhere_than_where_the_class_was_loaded_from_is_not_read() throws Exception {
        Class<?> elsewhere = new Redefining(Annotated.class, false, new java.net.URL("file:/elsewhere/"))
                .loadClass(Annotated.class.getName());

        assertThat(elsewhere).isNotEqualTo(Annotated.class);
        assertThat(elsewhere.getResource("/" + Annotated.class.getName().replace('.', '/') + ".class")).isNotNull();
        assertThatThrownBy(() -> ClassAnnotations.read(elsewhere)).isInstanceOf(ClassAnnotations.Unreadable.class);
        // from where it was loaded, the same bytes are read
        Class<?> here = new Redefining(Annotated.class, false,
                Annotated.class.getProtectionDomain().getCodeSource().getLocation()).loadClass(Annotated.class.getName());
        assertThat(ClassAnnotations.read(here)).isEqualTo(ClassAnnotations.read(Annotated.class));
    }

    /**
     * Defines a class again from its own bytes, child first: with its resources hidden, or as if loaded from
     * {@code location}.
     */
    static final class Redefining extends ClassLoader {
        private final String name;
        private final boolean hideResources;
        private final java.security.ProtectionDomain domain;

        Redefining(Class<?> type, boolean hideResources, java.net.URL location) {
            super(type.getClassLoader());
            this.name = type.getName();
            this.hideResources = hideResources;
            this.domain = new java.security.ProtectionDomain(
                    new java.security.CodeSource(location, (java.security.cert.Certificate[]) null), null);
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> loaded = findLoadedClass(className);
                if (loaded != null) {
                    return loaded;
                }
                try (var in = getParent().getResourceAsStream(className.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(className, bytes, 0, bytes.length, domain);
                } catch (java.io.IOException e) {
                    throw new ClassNotFoundException(className, e);
                }
            }
        }

        @Override
        public java.net.URL getResource(String resource) {
            return hideResources ? null : super.getResource(resource);
        }

        @Override
        public java.io.InputStream getResourceAsStream(String resource) {
            return hideResources ? null : super.getResourceAsStream(resource);
        }
    }

    /** A class defined again by a loader that finds no resource: its class file cannot be read. */
    static final class HiddenResources {
        private HiddenResources() {
        }

        static Class<?> hiding(Class<?> type) throws Exception {
            return new Redefining(type, true, type.getProtectionDomain().getCodeSource().getLocation())
                    .loadClass(type.getName());
        }
    }

    /** The read annotations without the element values equal to their defaults (reflection leaves those out). */
    private static ClassAnnotations withoutDefaults(ClassAnnotations read) throws Exception {
        Map<String, List<Ann>> fields = new HashMap<>();
        for (var e : read.fields().entrySet()) {
            fields.put(e.getKey(), anns(e.getValue()));
        }
        Map<String, ClassAnnotations.Member> methods = new HashMap<>();
        for (var e : read.methods().entrySet()) {
            List<List<Ann>> parameters = new ArrayList<>();
            for (List<Ann> on : e.getValue().parameters()) {
                parameters.add(anns(on));
            }
            methods.put(e.getKey(), new ClassAnnotations.Member(anns(e.getValue().annotations()), parameters));
        }
        Map<String, List<Ann>> components = new HashMap<>();
        for (var e : read.components().entrySet()) {
            components.put(e.getKey(), anns(e.getValue()));
        }
        return new ClassAnnotations(anns(read.onClass()), fields, methods, components);
    }

    private static List<Ann> anns(List<Ann> read) throws Exception {
        List<Ann> out = new ArrayList<>();
        for (Ann a : read) {
            out.add(ann(a));
        }
        return out;
    }

    private static Ann ann(Ann a) throws Exception {
        Class<?> type = Class.forName(a.type());
        Map<String, Object> values = new LinkedHashMap<>();
        for (var e : a.values().entrySet()) {
            Method element = type.getDeclaredMethod(e.getKey());
            Object value = normalised(e.getValue());
            Object fallback = element.getDefaultValue();
            if (fallback == null || !value.equals(ClassAnnotations.value(fallback))) {
                values.put(e.getKey(), value);
            }
        }
        return new Ann(a.type(), Map.copyOf(values));
    }

    private static Object normalised(Object value) throws Exception {
        if (value instanceof Ann nested) {
            return ann(nested);
        }
        if (value instanceof List<?> items) {
            List<Object> out = new ArrayList<>();
            for (Object item : items) {
                out.add(normalised(item));
            }
            return List.copyOf(out);
        }
        return value;
    }
}
