package dev.nosqles.projection.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A row record as DynamoDB attributes, one top-level attribute per component, named after it: String, UUID,
 * Instant (ISO-8601), LocalDate and enums (by name) as S; numbers as N (a BigDecimal without trailing zeros, as
 * DynamoDB stores it: 12.50 comes back as 12.5); booleans as BOOL; null as absent (and an
 * absent attribute as null, or 0 / false for a primitive). The accessors and the canonical constructor are looked
 * up once per row type ({@link #of}).
 */
public final class RowCodec<R extends Record> {
    private static final ClassValue<RowCodec<?>> CODECS = new ClassValue<>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        protected RowCodec<?> computeValue(Class<?> type) {
            return new RowCodec(type);
        }
    };

    private record Component(String name, Class<?> type, MethodHandle accessor) {
    }

    private final Class<R> type;
    private final List<Component> components;
    private final MethodHandle constructor;

    private RowCodec(Class<R> type) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record");
        }
        this.type = type;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RecordComponent[] rc = type.getRecordComponents();
            Component[] cs = new Component[rc.length];
            for (int i = 0; i < rc.length; i++) {
                rc[i].getAccessor().setAccessible(true);
                cs[i] = new Component(rc[i].getName(), rc[i].getType(), lookup.unreflect(rc[i].getAccessor()));
            }
            this.components = List.of(cs);
            Constructor<R> ctor = type.getDeclaredConstructor(
                    Arrays.stream(rc).map(RecordComponent::getType).toArray(Class<?>[]::new));
            ctor.setAccessible(true);
            this.constructor = lookup.unreflectConstructor(ctor);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read and build rows of " + type.getName()
                    + " (is the record accessible?)", e);
        }
    }

    @SuppressWarnings("unchecked")
    public static <R extends Record> RowCodec<R> of(Class<R> type) {
        return (RowCodec<R>) CODECS.get(type);
    }

    /** The row's components as attributes (null components absent). */
    public Map<String, AttributeValue> encode(R row) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (Component c : components) {
            Object value;
            try {
                value = c.accessor().invoke(row);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + c.name(), t);
            }
            if (value != null) {
                item.put(c.name(), toAttribute(value));
            }
        }
        return item;
    }

    /** The row the attributes hold (other attributes are ignored). */
    public R decode(Map<String, AttributeValue> item) {
        Object[] args = new Object[components.size()];
        for (int i = 0; i < args.length; i++) {
            Component c = components.get(i);
            AttributeValue value = item.get(c.name());
            args[i] = value == null || Boolean.TRUE.equals(value.nul()) ? absent(c.type()) : fromAttribute(c, value);
        }
        try {
            return type.cast(constructor.invokeWithArguments(args));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot build a " + type.getSimpleName(), t);
        }
    }

    private static AttributeValue toAttribute(Object value) {
        return switch (value) {
            case String s -> AttributeValue.fromS(s);
            case Boolean b -> AttributeValue.fromBool(b);
            // as DynamoDB keeps it (no trailing zeros), so that the fixture and the table give the same value back
            case BigDecimal d -> AttributeValue.fromN(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
            case Number n -> AttributeValue.fromN(n.toString());
            case Instant t -> AttributeValue.fromS(t.toString());
            case LocalDate d -> AttributeValue.fromS(d.toString());
            case UUID u -> AttributeValue.fromS(u.toString());
            case Enum<?> e -> AttributeValue.fromS(e.name());
            default -> throw new IllegalArgumentException("unsupported row value " + value.getClass().getSimpleName());
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object fromAttribute(Component c, AttributeValue v) {
        Class<?> t = c.type();
        if (t == String.class) {
            return v.s();
        } else if (t == boolean.class || t == Boolean.class) {
            return v.bool();
        } else if (t == int.class || t == Integer.class) {
            return Integer.parseInt(v.n());
        } else if (t == long.class || t == Long.class) {
            return Long.parseLong(v.n());
        } else if (t == short.class || t == Short.class) {
            return Short.parseShort(v.n());
        } else if (t == BigDecimal.class) {
            return new BigDecimal(v.n());
        } else if (t == BigInteger.class) {
            return new BigInteger(v.n());
        } else if (t == Instant.class) {
            return Instant.parse(v.s());
        } else if (t == LocalDate.class) {
            return LocalDate.parse(v.s());
        } else if (t == UUID.class) {
            return UUID.fromString(v.s());
        } else if (t.isEnum()) {
            return Enum.valueOf((Class<? extends Enum>) t, v.s());
        }
        throw new IllegalArgumentException("unsupported row component " + c.name());
    }

    private static Object absent(Class<?> t) {
        if (!t.isPrimitive()) {
            return null;
        } else if (t == boolean.class) {
            return false;
        } else if (t == int.class) {
            return 0;
        } else if (t == long.class) {
            return 0L;
        } else if (t == short.class) {
            return (short) 0;
        }
        throw new IllegalArgumentException("unsupported primitive " + t);
    }
}
