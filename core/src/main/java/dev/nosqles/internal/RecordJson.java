package dev.nosqles.internal;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.OptBoolean;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a record as JSON text without an ObjectMapper: the same text {@link Json#mapper()} writes for it, through
 * jackson-core's generator alone (ADR 0020). Building an ObjectMapper and its serializers is most of what a
 * function's first command costs beyond its AWS requests; most events are records of strings, numbers, instants,
 * ids, enums, lists and maps of them, and need none of it.
 *
 * <p>A type is written here only when nothing could make the mapper write it differently; otherwise
 * {@link #supports} is false and the caller uses the mapper. Supported: records whose components are
 * {@code String}, {@code boolean}, {@code int}, {@code long}, {@code double}, {@code float} (and their boxes),
 * {@code BigDecimal} (also {@code @JsonFormat(shape = STRING)}), {@code BigInteger}, {@code Instant} (ISO-8601),
 * {@code UUID}, enums (by name), supported records, and {@code List}, {@code Set}, {@code Collection} or
 * {@code Map<String, ?>} of supported types; a component may be {@code @JsonInclude(NON_NULL)} and the canonical
 * constructor {@code @JsonCreator}. Not supported, so left to the mapper: any other Jackson annotation on the record,
 * the interfaces it implements and their methods, its components, accessors, fields, constructors or methods (or an
 * annotation that bundles Jackson annotations, or {@code java.beans}' {@code @Transient} and
 * {@code @ConstructorProperties}), an enum with any Jackson annotation (on it, its constants and their bodies, its
 * methods or its interfaces), a getter-like method ({@code getX()}, or {@code isX()} returning a boolean) that Jackson
 * would add as a property, a component named like one, and any other type. The equivalence is tested against the
 * mapper for every supported type ({@code RecordJsonTest}).
 */
public final class RecordJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final ClassValue<Plan> PLANS = new ClassValue<>() {
        @Override
        protected Plan computeValue(Class<?> type) {
            return plan(type, new HashSet<>());
        }
    };
    private static final Plan UNSUPPORTED = new Plan(List.of(), false);

    private RecordJson() {
    }

    /** Writes a top-level String field in place of its value (a personal field's encrypted token). */
    @FunctionalInterface
    public interface FieldWriter {
        void write(JsonGenerator generator, String field, String value) throws IOException;
    }

    /** Whether {@code type} is written here exactly as the framework's ObjectMapper writes it. */
    public static boolean supports(Class<?> type) {
        return PLANS.get(type) != UNSUPPORTED;
    }

    /**
     * The record as JSON text, or null when its class is not supported here or a value met at run time is not
     * (a map with a null key): then the caller writes it with the mapper.
     */
    public static String write(Object value) {
        return write(value, Set.of(), null);
    }

    /**
     * As {@link #write(Object)}; each top-level component named in {@code replaced} that holds a String is written by
     * {@code writer} instead. Exceptions the writer throws propagate.
     *
     * <p>Null as well for a record with a double or float among its values, when {@code writer} is given: the
     * framework wrote such events through the mapper's tree, which turns them into decimals ({@code 1.0E+10}, not
     * {@code 1.0E10}); they keep being written that way.
     */
    public static String write(Object value, Set<String> replaced, FieldWriter writer) {
        Plan plan = PLANS.get(value.getClass());
        if (plan == UNSUPPORTED || writer != null && plan.floating()) {
            return null;
        }
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeRecord(g, plan, value, replaced, writer);
        } catch (Unsupported e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("a JSON text could not be written", e);
        }
        return out.toString();
    }

    /**
     * How one record class is written: its components in declaration order; {@code floating} when a double or
     * float is among its values, nested ones included.
     */
    private record Plan(List<Component> components, boolean floating) {
    }

    private record Component(String name, Method accessor, Kind kind, boolean skipNull) {
    }

    /** How one value of a declared type is written. */
    private sealed interface Kind {
    }

    private enum Scalar implements Kind { STRING, BOOLEAN, INT, LONG, DOUBLE, FLOAT, DECIMAL, DECIMAL_AS_STRING,
        BIG_INTEGER, INSTANT, UUID, ENUM }

    private record Nested(Class<?> type) implements Kind {
    }

    private record Elements(Kind element) implements Kind {
    }

    private record Entries(Kind value) implements Kind {
    }

    /** A value met at run time that only the mapper writes (it decides how to fail or what to write). */
    private static final class Unsupported extends RuntimeException {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static Plan plan(Class<?> type, Set<Class<?>> visiting) {
        if (!type.isRecord() || !visiting.add(type) || hasJacksonAnnotation(type) || jacksonOnInterfaces(type)) {
            return UNSUPPORTED;
        }
        RecordComponent[] components = type.getRecordComponents();
        Set<String> accessors = new HashSet<>();
        for (RecordComponent c : components) {
            accessors.add(c.getName());
        }
        // Jackson adds a public getter-like method as a property of its own
        for (Method m : type.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0 && m.getReturnType() != void.class
                    && !accessors.contains(m.getName()) && !m.getName().equals("getClass")
                    && getterLike(m.getName(), m.getReturnType())) {
                return UNSUPPORTED;
            }
        }
        Class<?>[] parameterTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            parameterTypes[i] = components[i].getType();
        }
        Constructor<?> canonical;
        try {
            canonical = type.getDeclaredConstructor(parameterTypes);
        } catch (NoSuchMethodException e) {
            return UNSUPPORTED;
        }
        // a creator changes nothing written, unless it is another constructor or a factory (its order would lead)
        for (Annotation a : canonical.getAnnotations()) {
            if (jackson(a) && !(a instanceof JsonCreator creator && (creator.mode() == JsonCreator.Mode.DEFAULT
                    || creator.mode() == JsonCreator.Mode.PROPERTIES))) {
                return UNSUPPORTED;
            }
        }
        for (Constructor<?> other : type.getDeclaredConstructors()) {
            if (!other.equals(canonical)
                    && (hasJacksonAnnotation(other) || anyJackson(other.getParameterAnnotations()))) {
                return UNSUPPORTED;
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (!accessors.contains(m.getName()) || m.getParameterCount() != 0) {
                if (hasJacksonAnnotation(m) || anyJackson(m.getParameterAnnotations())) {
                    return UNSUPPORTED;
                }
            }
        }
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            if (getterLike(c.getName(), c.getType())) {
                return UNSUPPORTED;
            }
            Field field;
            try {
                field = type.getDeclaredField(c.getName());
            } catch (NoSuchFieldException e) {
                return UNSUPPORTED;
            }
            List<Annotation> annotations = new ArrayList<>();
            for (AnnotatedElement e : List.of(c, c.getAccessor(), field)) {
                annotations.addAll(List.of(e.getAnnotations()));
            }
            annotations.addAll(List.of(canonical.getParameterAnnotations()[i]));
            boolean asString = false;
            boolean skipNull = false;
            for (Annotation a : annotations) {
                if (a instanceof JsonFormat f && stringShapeOnly(f)) {
                    asString = true;
                } else if (a instanceof JsonInclude include && nonNullOnly(include)) {
                    skipNull = true;
                } else if (jackson(a)) {
                    return UNSUPPORTED;
                }
            }
            Kind kind = kind(c.getGenericType(), visiting);
            if (kind == null) {
                return UNSUPPORTED;
            }
            if (asString) {
                if (kind != Scalar.DECIMAL) {
                    return UNSUPPORTED;
                }
                kind = Scalar.DECIMAL_AS_STRING;
            }
            Method accessor = c.getAccessor();
            try {
                accessor.setAccessible(true);
            } catch (RuntimeException e) {
                return UNSUPPORTED;
            }
            out.add(new Component(c.getName(), accessor, kind, skipNull));
        }
        visiting.remove(type);
        return new Plan(List.copyOf(out), out.stream().anyMatch(c -> floating(c.kind())));
    }

    private static boolean floating(Kind kind) {
        return switch (kind) {
            case Scalar s -> s == Scalar.DOUBLE || s == Scalar.FLOAT;
            case Nested n -> PLANS.get(n.type()).floating();
            case Elements e -> floating(e.element());
            case Entries e -> floating(e.value());
        };
    }

    /** The kind of a declared type; null when not supported. */
    private static Kind kind(Type declared, Set<Class<?>> visiting) {
        if (declared instanceof Class<?> c) {
            if (c == String.class) {
                return Scalar.STRING;
            }
            if (c == boolean.class || c == Boolean.class) {
                return Scalar.BOOLEAN;
            }
            if (c == int.class || c == Integer.class) {
                return Scalar.INT;
            }
            if (c == long.class || c == Long.class) {
                return Scalar.LONG;
            }
            if (c == double.class || c == Double.class) {
                return Scalar.DOUBLE;
            }
            if (c == float.class || c == Float.class) {
                return Scalar.FLOAT;
            }
            if (c == BigDecimal.class) {
                return Scalar.DECIMAL;
            }
            if (c == BigInteger.class) {
                return Scalar.BIG_INTEGER;
            }
            if (c == Instant.class) {
                return Scalar.INSTANT;
            }
            if (c == UUID.class) {
                return Scalar.UUID;
            }
            if (c.isEnum()) {
                return plainEnum(c) ? Scalar.ENUM : null;
            }
            if (c.isRecord()) {
                return visiting.contains(c) || plan(c, visiting) == UNSUPPORTED ? null : new Nested(c);
            }
            return null;
        }
        if (declared instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if ((raw == List.class || raw == Set.class || raw == Collection.class) && args.length == 1) {
                Kind element = kind(args[0], visiting);
                return element == null ? null : new Elements(element);
            }
            if (raw == Map.class && args.length == 2 && args[0] == String.class) {
                Kind value = kind(args[1], visiting);
                return value == null ? null : new Entries(value);
            }
        }
        return null;
    }

    /**
     * Whether an interface the record implements (directly or not) carries a Jackson annotation, on itself or on a
     * method: Jackson applies both to the record (a renamed accessor, ignored properties, type information).
     */
    private static boolean jacksonOnInterfaces(Class<?> type) {
        List<Class<?>> pending = new ArrayList<>(List.of(type.getInterfaces()));
        Set<Class<?>> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            Class<?> i = pending.remove(pending.size() - 1);
            if (!seen.add(i)) {
                continue;
            }
            if (hasJacksonAnnotation(i)) {
                return true;
            }
            for (Method m : i.getDeclaredMethods()) {
                if (hasJacksonAnnotation(m)) {
                    return true;
                }
            }
            pending.addAll(List.of(i.getInterfaces()));
        }
        return false;
    }

    /**
     * An enum Jackson writes by its name: no Jackson annotation on it, its constants, its methods, the bodies of its
     * constants or the interfaces it implements.
     */
    private static boolean plainEnum(Class<?> type) {
        if (hasJacksonAnnotation(type) || jacksonOnInterfaces(type)) {
            return false;
        }
        for (Field f : type.getDeclaredFields()) {
            if (hasJacksonAnnotation(f)) {
                return false;
            }
        }
        List<Class<?>> classes = new ArrayList<>(List.of(type));
        for (Object constant : type.getEnumConstants()) {
            if (constant.getClass() != type) {
                classes.add(constant.getClass());
            }
        }
        for (Class<?> c : classes) {
            for (Method m : c.getDeclaredMethods()) {
                if (hasJacksonAnnotation(m)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A name Jackson may read as a getter's: any {@code get...}, and {@code is...} returning a boolean. */
    private static boolean getterLike(String name, Class<?> returnType) {
        return name.length() > 3 && name.startsWith("get") || name.length() > 2 && name.startsWith("is")
                && (returnType == boolean.class || returnType == Boolean.class);
    }

    /** {@code @JsonInclude(NON_NULL)} with every other attribute at its default: the field left out when null. */
    private static boolean nonNullOnly(JsonInclude include) {
        return include.value() == JsonInclude.Include.NON_NULL
                && (include.content() == JsonInclude.Include.ALWAYS
                        || include.content() == JsonInclude.Include.USE_DEFAULTS)
                && include.valueFilter() == Void.class && include.contentFilter() == Void.class;
    }

    private static boolean anyJackson(Annotation[][] parameters) {
        for (Annotation[] annotations : parameters) {
            for (Annotation a : annotations) {
                if (jackson(a)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code @JsonFormat(shape = STRING)} with every other attribute at its default. */
    private static boolean stringShapeOnly(JsonFormat f) {
        return f.shape() == JsonFormat.Shape.STRING && f.pattern().isEmpty()
                && JsonFormat.DEFAULT_LOCALE.equals(f.locale()) && JsonFormat.DEFAULT_TIMEZONE.equals(f.timezone())
                && f.lenient() == OptBoolean.DEFAULT && f.with().length == 0 && f.without().length == 0;
    }

    private static boolean hasJacksonAnnotation(AnnotatedElement element) {
        for (Annotation a : element.getAnnotations()) {
            if (jackson(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An annotation Jackson reads: its own, one bundling its own, or the two of {@code java.beans} it honours
     * ({@code @Transient} ignores a property, {@code @ConstructorProperties} names a creator's).
     */
    private static boolean jackson(Annotation a) {
        Class<? extends Annotation> type = a.annotationType();
        return type.getName().startsWith("com.fasterxml.jackson.") || type.getName().startsWith("java.beans.")
                || type.isAnnotationPresent(JacksonAnnotationsInside.class);
    }

    private static void writeRecord(JsonGenerator g, Plan plan, Object value, Set<String> replaced,
                                    FieldWriter writer) throws IOException {
        g.writeStartObject();
        for (Component c : plan.components()) {
            Object v = read(c.accessor(), value);
            if (v == null && c.skipNull()) {
                continue;
            }
            g.writeFieldName(c.name());
            if (writer != null && v instanceof String s && replaced.contains(c.name())) {
                writer.write(g, c.name(), s);
            } else {
                writeValue(g, c.kind(), v);
            }
        }
        g.writeEndObject();
    }

    private static Object read(Method accessor, Object value) {
        try {
            return accessor.invoke(value);
        } catch (IllegalAccessException e) {
            throw new Unsupported();
        } catch (InvocationTargetException e) {
            // an accessor that throws: the mapper reports it its way
            throw new Unsupported();
        }
    }

    private static void writeValue(JsonGenerator g, Kind kind, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
            return;
        }
        switch (kind) {
            case Scalar s -> writeScalar(g, s, v);
            case Nested n -> {
                if (v.getClass() != n.type()) {
                    throw new Unsupported();
                }
                writeRecord(g, PLANS.get(n.type()), v, Set.of(), null);
            }
            case Elements e -> {
                if (!(v instanceof Collection<?> elements)) {
                    throw new Unsupported();
                }
                g.writeStartArray();
                for (Object element : elements) {
                    writeValue(g, e.element(), element);
                }
                g.writeEndArray();
            }
            case Entries e -> {
                if (!(v instanceof Map<?, ?> entries)) {
                    throw new Unsupported();
                }
                g.writeStartObject();
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    if (!(entry.getKey() instanceof String key)) {
                        throw new Unsupported();
                    }
                    g.writeFieldName(key);
                    writeValue(g, e.value(), entry.getValue());
                }
                g.writeEndObject();
            }
        }
    }

    /** A value of another type than declared (heap pollution) is the mapper's to judge. */
    private static void writeScalar(JsonGenerator g, Scalar kind, Object v) throws IOException {
        switch (kind) {
            case STRING -> g.writeString(as(String.class, v));
            case BOOLEAN -> g.writeBoolean(as(Boolean.class, v));
            case INT -> g.writeNumber(as(Integer.class, v));
            case LONG -> g.writeNumber(as(Long.class, v));
            case DOUBLE -> g.writeNumber(as(Double.class, v));
            case FLOAT -> g.writeNumber(as(Float.class, v));
            case DECIMAL -> g.writeNumber(as(BigDecimal.class, v));
            case DECIMAL_AS_STRING -> g.writeString(as(BigDecimal.class, v).toString());
            case BIG_INTEGER -> g.writeNumber(as(BigInteger.class, v));
            case INSTANT -> g.writeString(as(Instant.class, v).toString());
            case UUID -> g.writeString(as(UUID.class, v).toString());
            case ENUM -> g.writeString(as(Enum.class, v).name());
        }
    }

    private static <T> T as(Class<T> type, Object v) {
        if (!type.isInstance(v)) {
            throw new Unsupported();
        }
        return type.cast(v);
    }
}
