package dev.nosqles.internal;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.nosqles.internal.ClassAnnotations.Ann;
import dev.nosqles.internal.ClassAnnotations.EnumValue;
import dev.nosqles.internal.ClassAnnotations.TypeValue;
import dev.nosqles.json.JsonWriter;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a record as JSON text without an ObjectMapper: the same text {@link Json#mapper()} writes for it, through
 * a {@link JsonWriter} (ADR 0020: not even jackson-core is loaded). Building an ObjectMapper and its serializers is most of what a
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
    private static final ClassValue<Plan> PLANS = new ClassValue<>() {
        @Override
        protected Plan computeValue(Class<?> type) {
            return plan(type);
        }
    };
    private static final Plan UNSUPPORTED = new Plan(List.of(), false);

    private RecordJson() {
    }

    /** Writes a top-level String field in place of its value (a personal field's encrypted token). */
    @FunctionalInterface
    public interface FieldWriter {
        void write(JsonWriter writer, String field, String value);
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
        JsonWriter g = new JsonWriter();
        try {
            writeRecord(g, plan, value, replaced, writer);
        } catch (Unsupported e) {
            return null;
        }
        return g.toString();
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

    /**
     * Plans {@code type} from its class files' annotations, or through reflection when one of them cannot be read
     * (ADR 0020: reflection makes every annotation a proxy, and the first proxy costs a cold start tens of ms).
     */
    private static Plan plan(Class<?> type) {
        try {
            return plan(type, new HashSet<>(), new Annotations(true));
        } catch (ClassAnnotations.Unreadable e) {
            return planByReflection(type);
        }
    }

    /** As the framework plans a type when no class file can be read: through reflection alone. */
    static Plan planByReflection(Class<?> type) {
        try {
            return plan(type, new HashSet<>(), new Annotations(false));
        } catch (ClassAnnotations.Unreadable e) {
            throw new IllegalStateException("reflection reads every class", e);
        }
    }

    /** Whether the plan read from the class files equals the one read through reflection (for the tests). */
    static boolean plansAgree(Class<?> type) throws ClassAnnotations.Unreadable {
        Plan read = plan(type, new HashSet<>(), new Annotations(true));
        Plan reflected = planByReflection(type);
        return (read == UNSUPPORTED) == (reflected == UNSUPPORTED) && read.equals(reflected);
    }

    private static Plan plan(Class<?> type, Set<Class<?>> visiting, Annotations annotations)
            throws ClassAnnotations.Unreadable {
        if (!type.isRecord() || !visiting.add(type)) {
            return UNSUPPORTED;
        }
        ClassAnnotations own = annotations.of(type);
        if (annotations.anyJackson(own.onClass(), type) || jacksonOnInterfaces(type, annotations)) {
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
        String canonicalKey = ClassAnnotations.key("<init>", parameterTypes, void.class);
        ClassAnnotations.Member canonical = own.methods().get(canonicalKey);
        if (canonical == null) {
            return UNSUPPORTED;
        }
        // a creator changes nothing written, unless it is another constructor or a factory (its order would lead)
        for (Ann a : canonical.annotations()) {
            if (annotations.jackson(a, type) && !propertiesCreator(a)) {
                return UNSUPPORTED;
            }
        }
        for (Map.Entry<String, ClassAnnotations.Member> m : own.methods().entrySet()) {
            String name = m.getKey().substring(0, m.getKey().indexOf('('));
            boolean other = name.equals("<init>") ? !m.getKey().equals(canonicalKey)
                    : !accessors.contains(name) || !m.getKey().startsWith(name + "()");
            if (other && (annotations.anyJackson(m.getValue().annotations(), type)
                    || annotations.anyJacksonParameter(m.getValue().parameters(), type))) {
                return UNSUPPORTED;
            }
        }
        if (!canonical.parameters().isEmpty() && canonical.parameters().size() != components.length) {
            return UNSUPPORTED;
        }
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            if (getterLike(c.getName(), c.getType())) {
                return UNSUPPORTED;
            }
            List<Ann> onField = own.fields().get(c.getName());
            ClassAnnotations.Member onAccessor = own.methods().get(
                    ClassAnnotations.key(c.getName(), new Class<?>[0], c.getType()));
            if (onField == null || onAccessor == null) {
                return UNSUPPORTED;
            }
            List<Ann> found = new ArrayList<>(own.components().getOrDefault(c.getName(), List.of()));
            found.addAll(onAccessor.annotations());
            found.addAll(onField);
            if (!canonical.parameters().isEmpty()) {
                found.addAll(canonical.parameters().get(i));
            }
            boolean asString = false;
            boolean skipNull = false;
            for (Ann a : found) {
                if (a.type().equals(JSON_FORMAT) && stringShapeOnly(a)) {
                    asString = true;
                } else if (a.type().equals(JSON_INCLUDE) && nonNullOnly(a)) {
                    skipNull = true;
                } else if (annotations.jackson(a, type)) {
                    return UNSUPPORTED;
                }
            }
            Kind kind = kind(c.getGenericType(), visiting, annotations);
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
    private static Kind kind(Type declared, Set<Class<?>> visiting, Annotations annotations)
            throws ClassAnnotations.Unreadable {
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
                return plainEnum(c, annotations) ? Scalar.ENUM : null;
            }
            if (c.isRecord()) {
                return visiting.contains(c) || plan(c, visiting, annotations) == UNSUPPORTED ? null : new Nested(c);
            }
            return null;
        }
        if (declared instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if ((raw == List.class || raw == Set.class || raw == Collection.class) && args.length == 1) {
                Kind element = kind(args[0], visiting, annotations);
                return element == null ? null : new Elements(element);
            }
            if (raw == Map.class && args.length == 2 && args[0] == String.class) {
                Kind value = kind(args[1], visiting, annotations);
                return value == null ? null : new Entries(value);
            }
        }
        return null;
    }

    /**
     * Whether an interface the record implements (directly or not) carries a Jackson annotation, on itself or on a
     * method: Jackson applies both to the record (a renamed accessor, ignored properties, type information).
     */
    private static boolean jacksonOnInterfaces(Class<?> type, Annotations annotations)
            throws ClassAnnotations.Unreadable {
        List<Class<?>> pending = new ArrayList<>(List.of(type.getInterfaces()));
        Set<Class<?>> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            Class<?> i = pending.remove(pending.size() - 1);
            if (!seen.add(i)) {
                continue;
            }
            ClassAnnotations on = annotations.of(i);
            if (annotations.anyJackson(on.onClass(), i) || anyJacksonMethod(on, i, annotations)) {
                return true;
            }
            pending.addAll(List.of(i.getInterfaces()));
        }
        return false;
    }

    /** Whether a method (not a constructor) of the class carries a Jackson annotation. */
    private static boolean anyJacksonMethod(ClassAnnotations on, Class<?> type, Annotations annotations)
            throws ClassAnnotations.Unreadable {
        for (Map.Entry<String, ClassAnnotations.Member> m : on.methods().entrySet()) {
            if (!m.getKey().startsWith("<init>(") && annotations.anyJackson(m.getValue().annotations(), type)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An enum Jackson writes by its name: no Jackson annotation on it, its constants, its methods, the bodies of its
     * constants or the interfaces it implements.
     */
    private static boolean plainEnum(Class<?> type, Annotations annotations) throws ClassAnnotations.Unreadable {
        ClassAnnotations own = annotations.of(type);
        if (annotations.anyJackson(own.onClass(), type) || jacksonOnInterfaces(type, annotations)) {
            return false;
        }
        for (List<Ann> onField : own.fields().values()) {
            if (annotations.anyJackson(onField, type)) {
                return false;
            }
        }
        if (anyJacksonMethod(own, type, annotations)) {
            return false;
        }
        for (Object constant : type.getEnumConstants()) {
            Class<?> body = constant.getClass();
            if (body != type && anyJacksonMethod(annotations.of(body), body, annotations)) {
                return false;
            }
        }
        return true;
    }

    /** A name Jackson may read as a getter's: any {@code get...}, and {@code is...} returning a boolean. */
    private static boolean getterLike(String name, Class<?> returnType) {
        return name.length() > 3 && name.startsWith("get") || name.length() > 2 && name.startsWith("is")
                && (returnType == boolean.class || returnType == Boolean.class);
    }

    private static final String JACKSON = "com.fasterxml.jackson.annotation.";
    private static final String JSON_CREATOR = JACKSON + "JsonCreator";
    private static final String JSON_FORMAT = JACKSON + "JsonFormat";
    private static final String JSON_INCLUDE = JACKSON + "JsonInclude";

    /** {@code @JsonCreator} in its default or properties mode: it changes nothing written. */
    private static boolean propertiesCreator(Ann a) {
        return a.type().equals(JSON_CREATOR) && only(a, Set.of("mode"))
                && absentOr(a, "mode", JACKSON + "JsonCreator$Mode", Set.of("DEFAULT", "PROPERTIES"));
    }

    /** {@code @JsonInclude(NON_NULL)} with every other attribute at its default: the field left out when null. */
    private static boolean nonNullOnly(Ann a) {
        String include = JACKSON + "JsonInclude$Include";
        return only(a, Set.of("value", "content", "valueFilter", "contentFilter"))
                && a.values().get("value") instanceof EnumValue v && v.type().equals(include)
                && v.name().equals("NON_NULL") && absentOr(a, "content", include, Set.of("ALWAYS", "USE_DEFAULTS"))
                && absentOrVoid(a, "valueFilter") && absentOrVoid(a, "contentFilter");
    }

    /** {@code @JsonFormat(shape = STRING)} with every other attribute at its default. */
    private static boolean stringShapeOnly(Ann a) {
        return only(a, Set.of("shape", "pattern", "locale", "timezone", "lenient", "with", "without"))
                && a.values().get("shape") instanceof EnumValue shape
                && shape.type().equals(JACKSON + "JsonFormat$Shape") && shape.name().equals("STRING")
                && "".equals(a.values().getOrDefault("pattern", ""))
                && JsonFormat.DEFAULT_LOCALE.equals(a.values().getOrDefault("locale", JsonFormat.DEFAULT_LOCALE))
                && JsonFormat.DEFAULT_TIMEZONE.equals(
                        a.values().getOrDefault("timezone", JsonFormat.DEFAULT_TIMEZONE))
                && absentOr(a, "lenient", JACKSON + "OptBoolean", Set.of("DEFAULT"))
                && List.of().equals(a.values().getOrDefault("with", List.of()))
                && List.of().equals(a.values().getOrDefault("without", List.of()));
    }

    /** No element beyond {@code known}: one this class does not know could change what is written. */
    private static boolean only(Ann a, Set<String> known) {
        return known.containsAll(a.values().keySet());
    }

    private static boolean absentOr(Ann a, String element, String enumType, Set<String> names) {
        Object value = a.values().get(element);
        return value == null
                || value instanceof EnumValue e && e.type().equals(enumType) && names.contains(e.name());
    }

    private static boolean absentOrVoid(Ann a, String element) {
        Object value = a.values().get(element);
        return value == null || value instanceof TypeValue t && t.name().equals("java.lang.Void");
    }

    /**
     * One plan's annotations: read from the class files, or through reflection. Which annotations are Jackson's:
     * its own, one bundling its own ({@code @JacksonAnnotationsInside}), or the two of {@code java.beans} it honours
     * ({@code @Transient} ignores a property, {@code @ConstructorProperties} names a creator's).
     */
    private static final class Annotations {
        private final boolean fromBytes;
        private final Map<Class<?>, ClassAnnotations> read = new HashMap<>();
        private final Map<String, Boolean> bundles = new HashMap<>();

        Annotations(boolean fromBytes) {
            this.fromBytes = fromBytes;
        }

        ClassAnnotations of(Class<?> type) throws ClassAnnotations.Unreadable {
            ClassAnnotations known = read.get(type);
            if (known == null) {
                known = fromBytes ? ClassAnnotations.read(type) : ClassAnnotations.reflect(type);
                read.put(type, known);
            }
            return known;
        }

        boolean jackson(Ann a, Class<?> context) throws ClassAnnotations.Unreadable {
            String type = a.type();
            if (type.startsWith("com.fasterxml.jackson.") || type.startsWith("java.beans.")) {
                return true;
            }
            if (type.startsWith("java.")) {
                return false;
            }
            Boolean bundle = bundles.get(type);
            if (bundle == null) {
                Class<?> annotationType;
                try {
                    annotationType = Class.forName(type, false, context.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    // reflection leaves out an annotation whose type cannot be loaded; ask it
                    throw new ClassAnnotations.Unreadable();
                }
                bundle = false;
                for (Ann meta : of(annotationType).onClass()) {
                    bundle |= meta.type().equals(JACKSON + "JacksonAnnotationsInside");
                }
                bundles.put(type, bundle);
            }
            return bundle;
        }

        boolean anyJackson(List<Ann> found, Class<?> context) throws ClassAnnotations.Unreadable {
            for (Ann a : found) {
                if (jackson(a, context)) {
                    return true;
                }
            }
            return false;
        }

        boolean anyJacksonParameter(List<List<Ann>> parameters, Class<?> context)
                throws ClassAnnotations.Unreadable {
            for (List<Ann> found : parameters) {
                if (anyJackson(found, context)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static void writeRecord(JsonWriter g, Plan plan, Object value, Set<String> replaced,
                                    FieldWriter writer) {
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

    private static void writeValue(JsonWriter g, Kind kind, Object v) {
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
    private static void writeScalar(JsonWriter g, Scalar kind, Object v) {
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
