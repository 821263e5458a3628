package dev.nosqles.projection;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventCodec;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A named, versioned projection from typed events to the rows of a read model.
 *
 * <pre>{@code
 * Projection<OrderSummary> summaries = Projection.builder("order-summaries", OrderSummary.class, OrderSummary::orderId)
 *     .version(1)
 *     .index("by-customer", OrderSummary::customerId, row -> row.createdAt() + "#" + row.orderId())
 *     .on(new Order(), (event, rows) -> { switch (event.event()) { ... } })
 *     .build();
 * }</pre>
 *
 * <p>Rows are records whose components are {@code String}, {@code boolean}/{@code Boolean}, integral numbers,
 * {@code BigDecimal}, {@code BigInteger}, {@code Instant}, {@code LocalDate}, {@code UUID} or an enum; a null
 * component is stored as absent. The {@linkplain #version() version} is the projection code's version, recorded
 * with each version of the read model it builds; a read model is rebuilt into a new version of its own (numbered
 * by the registry) when the code changes, see {@code DynamoDbReadModels}.
 */
public final class Projection<R extends Record> {
    /** Names of the projection and of its indexes. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9\\-]{0,62}");
    /** At most this many indexes (the read-model table's global secondary indexes). */
    public static final int MAX_INDEXES = 2;

    /** Attribute names of the read-models table that a row component may not take. */
    public static final Set<String> RESERVED_COMPONENTS = Set.of("pk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "v");

    private static final Set<Class<?>> SCALARS = Set.of(String.class, boolean.class, Boolean.class, int.class,
            Integer.class, long.class, Long.class, short.class, Short.class, BigDecimal.class, BigInteger.class,
            Instant.class, LocalDate.class, UUID.class);

    /**
     * An index over the rows: partition and sort values (strings) computed from a row; sorted by {@code sort}. A row
     * for which either gives null is not in the index (a sparse index: "the orders awaiting approval").
     */
    public record Index<R>(String name, Function<R, String> partition, Function<R, String> sort) {
        public Index {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(sort, "sort");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("index name must match " + NAME.pattern());
            }
        }
    }

    /**
     * The handler bound to one aggregate type. Its {@code codec} has no subject keys: the read-model feed and the
     * fixture decode with {@code EventCodec.of(aggregate, keys)} (ADR 0008).
     */
    public record Binding<E, R extends Record>(Aggregate<?, ?, E> aggregate, EventCodec<E> codec,
                                               ProjectionHandler<E, R> handler) {
        public String aggregateType() {
            return aggregate.type();
        }
    }

    private final String name;
    private final int version;
    private final Class<R> rowType;
    private final Function<R, String> key;
    private final List<Index<R>> indexes;
    private final Map<String, Binding<?, R>> bindings;
    private final Function<R, String> personalSubject;
    private final Set<String> personalComponents;

    private Projection(Builder<R> b) {
        this.personalSubject = b.personalSubject;
        this.personalComponents = b.personalComponents == null ? Set.of() : Set.copyOf(b.personalComponents);
        this.name = b.name;
        this.version = b.version;
        this.rowType = b.rowType;
        this.key = b.key;
        this.indexes = List.copyOf(b.indexes);
        this.bindings = Map.copyOf(b.bindings);
    }

    /**
     * @param name stable name, stored in keys and checkpoints ({@link #NAME})
     * @param rowType the row record
     * @param key the row's key (non-empty)
     */
    public static <R extends Record> Builder<R> builder(String name, Class<R> rowType, Function<R, String> key) {
        return new Builder<>(name, rowType, key);
    }

    public String name() {
        return name;
    }

    /** The projection code's version (1 unless set). */
    public int version() {
        return version;
    }

    public Class<R> rowType() {
        return rowType;
    }

    /**
     * The row's key.
     *
     * @throws IllegalArgumentException the key function gave null or an empty string
     */
    public String key(R row) {
        String k = key.apply(Objects.requireNonNull(row, "row"));
        if (k == null || k.isEmpty()) {
            throw new IllegalArgumentException(name + ": a row's key must not be empty");
        }
        return k;
    }

    public List<Index<R>> indexes() {
        return indexes;
    }

    /** The index with that name. */
    public Index<R> index(String indexName) {
        return indexes.stream().filter(i -> i.name().equals(indexName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no index " + indexName));
    }

    /** The aggregate types it projects. */
    public Set<String> aggregateTypes() {
        return bindings.keySet();
    }

    /** The handler of an aggregate type, if it projects that type. */
    public java.util.Optional<Binding<?, R>> binding(String aggregateType) {
        return java.util.Optional.ofNullable(bindings.get(aggregateType));
    }

    /** The row components that hold personal data, stored encrypted (ADR 0008); empty for none. */
    public Set<String> personalComponents() {
        return personalComponents;
    }

    /** Whose personal data the row holds. @throws IllegalStateException the projection declares none */
    public String personalSubject(R row) {
        if (personalSubject == null) {
            throw new IllegalStateException(name + " declares no personal data");
        }
        return personalSubject.apply(row);
    }

    @Override
    public String toString() {
        return "Projection[" + name + " v" + version + "]";
    }

    /** A value no real row holds: the probe's personal component, to see whether a key function exposes it. */
    private static final String PROBE = "\u0000personal-probe-";

    /** Builds a {@link Projection}; validation in {@link #build()}. */
    public static final class Builder<R extends Record> {
        private final String name;
        private final Class<R> rowType;
        private final Function<R, String> key;
        private int version = 1;
        private final List<Index<R>> indexes = new ArrayList<>();
        private final Map<String, Binding<?, R>> bindings = new LinkedHashMap<>();
        private Function<R, String> personalSubject;
        private List<String> personalComponents;

        private Builder(String name, Class<R> rowType, Function<R, String> key) {
            this.name = name;
            this.rowType = rowType;
            this.key = key;
        }

        public Builder<R> version(int version) {
            this.version = version;
            return this;
        }

        public Builder<R> index(String indexName, Function<R, String> partition, Function<R, String> sort) {
            indexes.add(new Index<>(indexName, partition, sort));
            return this;
        }

        /**
         * Declares {@code String} components of the row personal data of the subject {@code subject} gives
         * (ADR 0008): they are stored encrypted with the subject's key and read back as
         * {@link dev.nosqles.privacy.PersonalData#DEFAULT_PLACEHOLDER} once the subject is forgotten. A personal
         * component may not be (part of) the row key or an index key: those are stored in plain text. {@link #build()}
         * refuses a key that holds a component's whole value; it cannot see a key computed from one (upper-cased,
         * hashed, a part of it), which a forget would leave in plain text: derive keys from ids, never from personal
         * components.
         */
        public Builder<R> personalData(Function<R, String> subject, String... components) {
            this.personalSubject = Objects.requireNonNull(subject, "subject");
            if (components.length == 0) {
                throw new IllegalArgumentException(name + ": declare at least one personal component");
            }
            this.personalComponents = List.of(components);
            return this;
        }

        /** Projects every domain event of the aggregate's type (decoded and upcast; pseudo events are not seen). */
        public <E> Builder<R> on(Aggregate<?, ?, E> aggregate, ProjectionHandler<E, R> handler) {
            Objects.requireNonNull(aggregate, "aggregate");
            if (bindings.containsKey(aggregate.type())) {
                throw new IllegalArgumentException(name + " already projects " + aggregate.type());
            }
            bindings.put(aggregate.type(), new Binding<>(aggregate, EventCodec.of(aggregate),
                    Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /**
         * Each personal component is a String component of the row; none shows in the row key or an index key
         * (checked on a probe row whose String components hold markers; a key function that fails on it is not
         * checked).
         */
        private void checkPersonalComponents() {
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> probe = new LinkedHashMap<>();
            for (String c : personalComponents) {
                boolean ok = java.util.Arrays.stream(rowType.getRecordComponents())
                        .anyMatch(rc -> rc.getName().equals(c) && rc.getType() == String.class);
                if (!ok) {
                    throw new IllegalArgumentException(name + ": personal component " + c
                            + " must be a String component of " + rowType.getSimpleName());
                }
            }
            for (RecordComponent rc : rowType.getRecordComponents()) {
                if (rc.getType() == String.class) {
                    probe.put(rc.getName(), software.amazon.awssdk.services.dynamodb.model.AttributeValue
                            .fromS(PROBE + rc.getName()));
                }
            }
            R row;
            try {
                row = dev.nosqles.projection.internal.RowCodec.of(rowType).decode(probe);
            } catch (RuntimeException cannotProbe) {
                return;
            }
            List<Function<R, String>> keys = new ArrayList<>();
            keys.add(key);
            for (Index<R> index : indexes) {
                keys.add(index.partition());
                keys.add(index.sort());
            }
            for (Function<R, String> k : keys) {
                String value;
                try {
                    value = k.apply(row);
                } catch (RuntimeException cannotTell) {
                    continue;
                }
                for (String c : personalComponents) {
                    if (value != null && value.contains(PROBE + c)) {
                        throw new IllegalArgumentException(name + ": personal component " + c
                                + " may not be part of the row key or an index key (keys are stored in plain text)");
                    }
                }
            }
        }

        /**
         * @throws IllegalArgumentException bad name, version below 1, a row component of an unsupported type or
         *                                  with a {@linkplain #RESERVED_COMPONENTS reserved name},
         *                                  duplicate or too many indexes, no handler
         */
        public Projection<R> build() {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("projection name must match " + NAME.pattern());
            }
            Objects.requireNonNull(rowType, "rowType");
            Objects.requireNonNull(key, "key");
            if (version < 1) {
                throw new IllegalArgumentException(name + ": version must be at least 1");
            }
            for (RecordComponent c : rowType.getRecordComponents()) {
                if (RESERVED_COMPONENTS.contains(c.getName())) {
                    throw new IllegalArgumentException(name + ": row component " + c.getName()
                            + " has a reserved name (" + String.join(", ", new java.util.TreeSet<>(RESERVED_COMPONENTS))
                            + ")");
                }
                Class<?> t = c.getType();
                if (!SCALARS.contains(t) && !t.isEnum()) {
                    throw new IllegalArgumentException(name + ": row component " + c.getName() + " has type "
                            + t.getSimpleName() + "; rows hold scalars (see Projection)");
                }
            }
            if (indexes.size() > MAX_INDEXES) {
                throw new IllegalArgumentException(name + ": at most " + MAX_INDEXES + " indexes");
            }
            if (indexes.stream().map(Index::name).distinct().count() != indexes.size()) {
                throw new IllegalArgumentException(name + ": index names must be unique");
            }
            if (bindings.isEmpty()) {
                throw new IllegalArgumentException(name + ": a projection needs at least one handler");
            }
            if (personalComponents != null) {
                checkPersonalComponents();
            }
            return new Projection<>(this);
        }
    }
}
