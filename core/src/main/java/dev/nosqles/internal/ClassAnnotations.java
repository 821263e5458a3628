package dev.nosqles.internal;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The runtime-visible annotations of one class, by where they sit: on the class, its fields, its methods and
 * constructors (and their parameters) and its record components. {@link #read} takes them from the class file's
 * bytes (the {@code RuntimeVisibleAnnotations}, {@code RuntimeVisibleParameterAnnotations} and {@code Record}
 * attributes javac writes), so that no annotation instance is made: reflection makes each one a dynamic proxy, and
 * the first proxy of a process costs a cold start tens of milliseconds (its class generated, a module defined for it;
 * ADR 0020). {@link #reflect} reads the same through reflection: the fallback when the bytes cannot be had (a class
 * without a class file, an unknown constant), and the reference the tests hold the reader to.
 *
 * <p>Element values: a String, a boxed primitive, an {@link EnumValue}, a {@link TypeValue}, an {@link Ann}, or a
 * List of them for an array. From the bytes, the elements written in the source; from reflection, those that differ
 * from the element's default. A reader of an element treats an absent one as its default either way.
 *
 * @param onClass    on the class itself
 * @param fields     by field name
 * @param methods    by name and descriptor ({@code "<init>(Ljava/lang/String;)V"}; constructors as {@code <init>})
 * @param components by record component name
 */
record ClassAnnotations(List<Ann> onClass, Map<String, List<Ann>> fields, Map<String, Member> methods,
                        Map<String, List<Ann>> components) {

    /** One annotation: its type's binary name ({@code Class.getName()}) and the element values it carries. */
    record Ann(String type, Map<String, Object> values) {
    }

    /** An enum constant as an element value. */
    record EnumValue(String type, String name) {
    }

    /** A class as an element value, by its {@code Class.getName()}. */
    record TypeValue(String name) {
    }

    /**
     * A method's or constructor's annotations and its parameters' (empty when none of them has one). The positions
     * are the class file's: for the constructor of an inner class or an enum, reflection adds the implicit
     * parameters in front, so positions are only compared for a record's canonical constructor, which has none.
     */
    record Member(List<Ann> annotations, List<List<Ann>> parameters) {
    }

    /** The class file could not be had or read; the caller asks reflection instead. */
    static final class Unreadable extends Exception {
        Unreadable() {
            super(null, null, false, false);
        }
    }

    /** The method key for {@link #methods}: its name and JVM descriptor. */
    static String key(String name, Class<?>[] parameters, Class<?> returned) {
        StringBuilder descriptor = new StringBuilder(name).append('(');
        for (Class<?> p : parameters) {
            descriptor.append(p.descriptorString());
        }
        return descriptor.append(')').append(returned.descriptorString()).toString();
    }

    /**
     * From the class file of {@code type}: its resource, trusted only when it comes from where the class was loaded
     * from (a child-first loader may find another class's file of the same name first) and declares the members
     * the loaded class has (an agent may have changed the class as it was loaded). A class changed at load without
     * a member added or removed is read as its file says: the limit of this reader.
     *
     * @throws Unreadable when there is no such file, it comes from elsewhere, it does not match or cannot be read
     */
    static ClassAnnotations read(Class<?> type) throws Unreadable {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        URL url = type.getResource(resource);
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (url == null || source == null || source.getLocation() == null
                || !from(url, source.getLocation().toString())) {
            throw new Unreadable();
        }
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new Unreadable();
        }
        ClassAnnotations read;
        try {
            read = new Reader(bytes).read(type.getName());
        } catch (IOException | RuntimeException e) {
            throw new Unreadable();
        }
        if (!read.fields().keySet().equals(fieldNames(type)) || !read.methods().keySet().equals(methodKeys(type))) {
            throw new Unreadable();
        }
        return read;
    }

    /** Whether the resource at {@code url} lies in the class path entry at {@code location} (a jar or a folder). */
    private static boolean from(URL url, String location) {
        String found = url.toString();
        if (found.startsWith("jar:")) {
            int separator = found.indexOf("!/");
            return separator > 0 && found.substring(4, separator).equals(location);
        }
        return location.endsWith("/") && found.startsWith(location);
    }

    private static Set<String> fieldNames(Class<?> type) {
        Set<String> names = new HashSet<>();
        for (Field f : type.getDeclaredFields()) {
            names.add(f.getName());
        }
        return names;
    }

    /** The keys of the declared methods and constructors: also what makes a missing class fail here as before. */
    private static Set<String> methodKeys(Class<?> type) {
        Set<String> keys = new HashSet<>();
        for (Method m : type.getDeclaredMethods()) {
            keys.add(key(m.getName(), m.getParameterTypes(), m.getReturnType()));
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            keys.add(key("<init>", c.getParameterTypes(), void.class));
        }
        return keys;
    }

    /** Through reflection: what {@code getDeclaredAnnotations()} and {@code getParameterAnnotations()} return. */
    static ClassAnnotations reflect(Class<?> type) {
        Map<String, List<Ann>> fields = new HashMap<>();
        for (Field f : type.getDeclaredFields()) {
            fields.put(f.getName(), anns(f.getDeclaredAnnotations()));
        }
        Map<String, Member> methods = new HashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            methods.put(key(m.getName(), m.getParameterTypes(), m.getReturnType()), member(m));
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            methods.put(key("<init>", c.getParameterTypes(), void.class), member(c));
        }
        Map<String, List<Ann>> components = new HashMap<>();
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                components.put(c.getName(), anns(c.getDeclaredAnnotations()));
            }
        }
        return new ClassAnnotations(anns(type.getDeclaredAnnotations()), fields, methods, components);
    }

    private static Member member(Executable e) {
        List<List<Ann>> parameters = new ArrayList<>();
        boolean any = false;
        for (Annotation[] on : e.getParameterAnnotations()) {
            parameters.add(anns(on));
            any |= on.length > 0;
        }
        return new Member(anns(e.getDeclaredAnnotations()), any ? List.copyOf(parameters) : List.of());
    }

    private static List<Ann> anns(Annotation[] annotations) {
        List<Ann> out = new ArrayList<>(annotations.length);
        for (Annotation a : annotations) {
            out.add(ann(a));
        }
        return List.copyOf(out);
    }

    /** An annotation instance as an {@link Ann}: the elements whose value differs from their default. */
    static Ann ann(Annotation a) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Method element : a.annotationType().getDeclaredMethods()) {
            if (element.getParameterCount() != 0 || element.isSynthetic()) {
                continue;
            }
            try {
                element.setAccessible(true);
                Object value = value(element.invoke(a));
                Object fallback = element.getDefaultValue();
                if (fallback == null || !value.equals(value(fallback))) {
                    values.put(element.getName(), value);
                }
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                values.put(element.getName(), new TypeValue("?"));
            }
        }
        return new Ann(a.annotationType().getName(), Map.copyOf(values));
    }

    static Object value(Object v) {
        if (v instanceof Enum<?> e) {
            return new EnumValue(e.getDeclaringClass().getName(), e.name());
        }
        if (v instanceof Class<?> c) {
            return new TypeValue(c.getName());
        }
        if (v instanceof Annotation a) {
            return ann(a);
        }
        if (v.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                items.add(value(Array.get(v, i)));
            }
            return List.copyOf(items);
        }
        return v;
    }

    /** A class file's reader: the constant pool, then the annotation attributes of each part. */
    private static final class Reader {
        private final DataInputStream in;
        private Object[] pool;

        Reader(byte[] bytes) {
            this.in = new DataInputStream(new ByteArrayInputStream(bytes));
        }

        ClassAnnotations read(String expectedName) throws IOException {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            readPool();
            in.readUnsignedShort();
            String name = className(in.readUnsignedShort());
            if (!name.equals(expectedName)) {
                throw new IOException("another class's file");
            }
            in.readUnsignedShort();
            in.skipNBytes(2L * in.readUnsignedShort());
            Map<String, List<Ann>> fields = new HashMap<>();
            int fieldCount = in.readUnsignedShort();
            for (int i = 0; i < fieldCount; i++) {
                in.readUnsignedShort();
                String fieldName = utf(in.readUnsignedShort());
                in.readUnsignedShort();
                fields.put(fieldName, attributes(null).annotations());
            }
            Map<String, Member> methods = new HashMap<>();
            int methodCount = in.readUnsignedShort();
            for (int i = 0; i < methodCount; i++) {
                in.readUnsignedShort();
                String methodName = utf(in.readUnsignedShort());
                String descriptor = utf(in.readUnsignedShort());
                Member member = attributes(null);
                if (!methodName.equals("<clinit>")) {
                    methods.put(methodName + descriptor, member);
                }
            }
            Map<String, List<Ann>> components = new HashMap<>();
            List<Ann> onClass = attributes(components).annotations();
            return new ClassAnnotations(onClass, fields, methods, components);
        }

        private void readPool() throws IOException {
            int count = in.readUnsignedShort();
            pool = new Object[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> pool[i] = in.readUTF();
                    case 3 -> pool[i] = in.readInt();
                    case 4 -> pool[i] = in.readFloat();
                    case 5 -> pool[i++] = in.readLong();
                    case 6 -> pool[i++] = in.readDouble();
                    case 7 -> pool[i] = new ClassRef(in.readUnsignedShort());
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException("an unknown constant");
                }
            }
        }

        private record ClassRef(int nameIndex) {
        }

        private String utf(int index) throws IOException {
            if (pool[index] instanceof String s) {
                return s;
            }
            throw new IOException("not a name");
        }

        private String className(int index) throws IOException {
            if (pool[index] instanceof ClassRef ref) {
                return utf(ref.nameIndex()).replace('/', '.');
            }
            throw new IOException("not a class");
        }

        /**
         * The attributes of one part: its annotations and its parameters'; the record components' into
         * {@code components} when it is given (the class's own attributes).
         */
        private Member attributes(Map<String, List<Ann>> components) throws IOException {
            List<Ann> annotations = List.of();
            List<List<Ann>> parameters = List.of();
            int count = in.readUnsignedShort();
            for (int i = 0; i < count; i++) {
                String name = utf(in.readUnsignedShort());
                int length = in.readInt();
                switch (name) {
                    case "RuntimeVisibleAnnotations" -> annotations = annotations();
                    case "RuntimeVisibleParameterAnnotations" -> {
                        int n = in.readUnsignedByte();
                        List<List<Ann>> read = new ArrayList<>(n);
                        boolean any = false;
                        for (int p = 0; p < n; p++) {
                            List<Ann> on = annotations();
                            read.add(on);
                            any |= !on.isEmpty();
                        }
                        parameters = any ? List.copyOf(read) : List.of();
                    }
                    case "Record" -> {
                        if (components == null) {
                            in.skipNBytes(length);
                        } else {
                            int n = in.readUnsignedShort();
                            for (int c = 0; c < n; c++) {
                                String component = utf(in.readUnsignedShort());
                                in.readUnsignedShort();
                                components.put(component, attributes(null).annotations());
                            }
                        }
                    }
                    default -> in.skipNBytes(length);
                }
            }
            return new Member(annotations, parameters);
        }

        private List<Ann> annotations() throws IOException {
            int n = in.readUnsignedShort();
            List<Ann> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(annotation());
            }
            return List.copyOf(out);
        }

        private Ann annotation() throws IOException {
            String type = typeName(utf(in.readUnsignedShort()));
            int pairs = in.readUnsignedShort();
            Map<String, Object> values = new HashMap<>();
            for (int i = 0; i < pairs; i++) {
                String element = utf(in.readUnsignedShort());
                values.put(element, elementValue());
            }
            return new Ann(type, Map.copyOf(values));
        }

        private Object elementValue() throws IOException {
            int tag = in.readUnsignedByte();
            return switch (tag) {
                case 'B' -> ((Integer) constant()).byteValue();
                case 'C' -> (char) ((Integer) constant()).intValue();
                case 'S' -> ((Integer) constant()).shortValue();
                case 'Z' -> ((Integer) constant()) != 0;
                case 'I', 'J', 'F', 'D' -> constant();
                case 's' -> utf(in.readUnsignedShort());
                case 'e' -> {
                    String enumType = typeName(utf(in.readUnsignedShort()));
                    yield new EnumValue(enumType, utf(in.readUnsignedShort()));
                }
                case 'c' -> new TypeValue(typeName(utf(in.readUnsignedShort())));
                case '@' -> annotation();
                case '[' -> {
                    int n = in.readUnsignedShort();
                    List<Object> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(elementValue());
                    }
                    yield List.copyOf(items);
                }
                default -> throw new IOException("an unknown element value");
            };
        }

        private Object constant() throws IOException {
            return Objects.requireNonNull(pool[in.readUnsignedShort()], "constant");
        }

        /** A field descriptor as {@code Class.getName()} spells the class. */
        private static String typeName(String descriptor) throws IOException {
            return switch (descriptor.charAt(0)) {
                case 'L' -> descriptor.substring(1, descriptor.length() - 1).replace('/', '.');
                case '[' -> descriptor.replace('/', '.');
                case 'B' -> "byte";
                case 'C' -> "char";
                case 'D' -> "double";
                case 'F' -> "float";
                case 'I' -> "int";
                case 'J' -> "long";
                case 'S' -> "short";
                case 'Z' -> "boolean";
                case 'V' -> "void";
                default -> throw new IOException("an unknown descriptor");
            };
        }
    }
}
