package dev.nosqles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ObjectMapper-free writer writes what the framework's ObjectMapper writes, or declines (ADR 0020). */
class RecordJsonTest {
    enum Colour { RED, GREEN { @Override public String toString() {
        return "green!";
    } } }

    record Inner(String label, List<Integer> counts) {
    }

    record Everything(String text, boolean flag, Boolean boxedFlag, int number, Integer boxedNumber, long big,
                      Long boxedBig, double ratio, Double boxedRatio, float small, Float boxedSmall, BigDecimal amount,
                      @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountAsText, BigInteger huge,
                      Instant at, UUID id, Colour colour, Inner inner, List<String> names, Set<Colour> colours,
                      Collection<Inner> inners, Map<String, BigDecimal> prices, Map<String, List<Instant>> times) {
    }

    record Texts(String text, List<String> names, Inner inner) {
    }

    /** Not getters to Jackson: an is-name that returns no boolean. */
    record Issued(String issuer, Instant issuedAt) {
    }

    /** An is-name returning a boolean: Jackson may read it as an is-getter of another name. */
    record Isolated(Boolean isolated) {
    }

    record Empty() {
        @com.fasterxml.jackson.annotation.JsonCreator
        Empty {
        }
    }

    /** As an event with optional fields added later: left out when null; other constructors for old callers. */
    record Optionals(String name, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal limit,
                     @com.fasterxml.jackson.annotation.JsonInclude(
                             com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String owner,
                     @com.fasterxml.jackson.annotation.JsonInclude(
                             com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<String> tags) {
        @com.fasterxml.jackson.annotation.JsonCreator
        Optionals {
        }

        Optionals(String name) {
            this(name, null, null, null);
        }
    }

    private static String mapper(Object value) throws Exception {
        return Json.mapper().writeValueAsString(value);
    }

    @Test
    void random_records_of_every_supported_type_are_written_as_the_mapper_writes_them() throws Exception {
        Random random = new Random(20261201L);
        assertThat(RecordJson.supports(Everything.class)).isTrue();
        assertThat(RecordJson.supports(Optionals.class)).isTrue();
        for (int i = 0; i < 2_000; i++) {
            Everything value = everything(random);
            assertThat(RecordJson.write(value)).as("case %d", i).isEqualTo(mapper(value));
        }
    }

    @Test
    void an_empty_record_and_nulls_everywhere_are_written_as_the_mapper_writes_them() throws Exception {
        Everything nulls = new Everything(null, false, null, 0, null, 0, null, 0, null, 0, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        Map<String, BigDecimal> nullValue = new HashMap<>();
        nullValue.put("k", null);
        Everything nested = new Everything("", true, true, -1, -1, Long.MIN_VALUE, Long.MAX_VALUE, -0.0, Double.NaN,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, new BigDecimal("-0.00"), new BigDecimal("1E+12"),
                BigInteger.TWO.pow(100).negate(), Instant.MIN, new UUID(0, 0), Colour.GREEN, new Inner(null, null),
                withNull, Set.of(), List.of(), nullValue, Map.of());

        assertThat(RecordJson.supports(Issued.class)).isTrue();
        for (Object value : List.of(nulls, nested, new Empty(), new Inner("x", List.of(1, 2)), new Optionals("n"),
                new Issued("me", Instant.parse("2026-12-01T00:00:00Z")),
                new Optionals("n", new BigDecimal("1.50"), "o", List.of("t")),
                new Optionals(null, null, "o", null))) {
            assertThat(RecordJson.write(value)).isEqualTo(mapper(value));
        }
    }

    @Test
    void a_top_level_string_field_named_for_replacement_is_written_by_the_writer_and_nothing_else_is() {
        Inner value = new Inner("secret", List.of(7));
        Texts nullText = new Texts(null, List.of("secret"), new Inner("secret", List.of()));

        String written = RecordJson.write(value, Set.of("label", "counts"),
                (g, field, text) -> g.writeString("<" + field + ":" + text.length() + ">"));
        String untouched = RecordJson.write(nullText, Set.of("text", "names", "label"),
                (g, field, text) -> g.writeString("replaced"));

        assertThat(written).isEqualTo("{\"label\":\"<label:6>\",\"counts\":[7]}");
        assertThat(untouched).isEqualTo("{\"text\":null,\"names\":[\"secret\"],"
                + "\"inner\":{\"label\":\"secret\",\"counts\":[]}}");
    }

    @Test
    void what_the_writer_throws_reaches_the_caller() {
        assertThatThrownBy(() -> RecordJson.write(new Inner("x", null), Set.of("label"), (g, f, t) -> {
            throw new IllegalStateException("the key service is down");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the key service is down");
    }

    // --- what only the mapper decides: declined, so the caller uses the mapper

    record Renamed(@JsonProperty("other") String name) {
    }

    record Ignored(String name, @JsonIgnore String hidden) {
    }

    record WithGetter(String name) {
        public String getUpper() {
            return name.toUpperCase(java.util.Locale.ROOT);
        }
    }

    interface Described {
        default String getDescription() {
            return "d";
        }
    }

    record InheritsGetter(String name) implements Described {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    interface Typed {
    }

    record TypedEvent(String name) implements Typed {
    }

    interface RenamingAccessor {
        @JsonProperty("renamed")
        String name();
    }

    record RenamedThroughInterface(String name) implements RenamingAccessor {
    }

    record WithOptional(Optional<String> name) {
    }

    record WithDate(LocalDate day) {
    }

    record WithObject(Object anything) {
    }

    record WithArray(String[] names) {
    }

    record WithByte(byte small) {
    }

    enum Valued {
        A;

        @JsonValue
        String json() {
            return "a";
        }
    }

    record WithValuedEnum(Valued valued) {
    }

    enum Named { @JsonProperty("b") B }

    record WithNamedEnum(Named named) {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @JacksonAnnotationsInside
    @JsonProperty("bundled")
    @interface Bundled {
    }

    record WithBundle(@Bundled String name) {
    }

    record IsNamed(boolean isActive) {
    }

    record Recursive(String name, List<Recursive> children) {
    }

    record TextAsString(@JsonFormat(shape = JsonFormat.Shape.STRING) String name) {
    }

    record Patterned(@JsonFormat(shape = JsonFormat.Shape.STRING, pattern = "0.00") BigDecimal amount) {
    }

    record NestsUnsupported(WithOptional inner) {
    }

    record IntegerKeys(Map<Integer, String> byNumber) {
    }

    record NonEmpty(@com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY) String name) {
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record IncludeOnClass(String name) {
    }

    record OtherCreator(String a, String b) {
        @com.fasterxml.jackson.annotation.JsonCreator
        OtherCreator(@JsonProperty("b") String b, @JsonProperty("a") String a, int ignored) {
            this(a, b);
        }
    }

    record DelegatingCreator(String a) {
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        DelegatingCreator {
        }
    }

    record FactoryCreator(String a) {
        @com.fasterxml.jackson.annotation.JsonCreator
        static FactoryCreator of(@JsonProperty("a") String a) {
            return new FactoryCreator(a);
        }
    }

    interface Coded {
        @JsonValue
        String code();
    }

    enum CodedColour implements Coded {
        GREEN;

        @Override
        public String code() {
            return "g";
        }
    }

    record WithCodedEnum(CodedColour colour) {
    }

    enum BodyValued {
        A {
            @JsonValue
            public String v() {
                return "body";
            }
        },
        B
    }

    record WithBodyValuedEnum(BodyValued value) {
    }

    record BeansTransient(String a, String b) {
        @java.beans.Transient
        public String b() {
            return b;
        }
    }

    static final class NotARecord {
        public String name = "x";
    }

    @Test
    void a_type_the_mapper_could_write_differently_is_declined() {
        for (Class<?> type : List.of(Renamed.class, Ignored.class, WithGetter.class, InheritsGetter.class,
                TypedEvent.class, RenamedThroughInterface.class, WithOptional.class, WithDate.class,
                WithObject.class, WithArray.class, WithByte.class, WithValuedEnum.class, WithNamedEnum.class,
                WithBundle.class, IsNamed.class, Recursive.class, TextAsString.class, Patterned.class,
                NestsUnsupported.class, IntegerKeys.class, NotARecord.class, NonEmpty.class, IncludeOnClass.class,
                OtherCreator.class, DelegatingCreator.class, FactoryCreator.class, WithCodedEnum.class,
                WithBodyValuedEnum.class, BeansTransient.class, Isolated.class)) {
            assertThat(RecordJson.supports(type)).as(type.getSimpleName()).isFalse();
        }
        assertThat(RecordJson.write(new Renamed("x"))).isNull();
        assertThat(RecordJson.write(new NotARecord())).isNull();
    }

    @Test
    void a_type_is_planned_from_its_class_files_as_reflection_would_plan_it() throws Exception {
        for (Class<?> type : RecordJsonTest.class.getDeclaredClasses()) {
            assertThat(RecordJson.plansAgree(type)).as(type.getSimpleName()).isTrue();
        }
    }

    @Test
    void a_record_whose_class_file_cannot_be_read_is_planned_through_reflection_and_written_the_same()
            throws Exception {
        Class<?> hidden = ClassAnnotationsTest.HiddenResources.hiding(Optionals.class);
        var canonical = hidden.getDeclaredConstructor(String.class, BigDecimal.class, String.class, List.class);
        canonical.setAccessible(true); // another loader: another run-time package
        Object value = canonical.newInstance("n", new BigDecimal("2.50"), null, List.of("t"));

        assertThat(hidden).isNotEqualTo(Optionals.class);
        assertThatThrownBy(() -> ClassAnnotations.read(hidden)).isInstanceOf(ClassAnnotations.Unreadable.class);
        assertThat(RecordJson.write(value)).isEqualTo(mapper(new Optionals("n", new BigDecimal("2.50"), null,
                List.of("t")))).isEqualTo("{\"name\":\"n\",\"limit\":\"2.50\",\"tags\":[\"t\"]}");
        assertThat(RecordJson.supports(ClassAnnotationsTest.HiddenResources.hiding(Renamed.class))).isFalse();
    }

    record Holder(List<Inner> inners, Map<String, Integer> counts) {
    }

    record Other(String first) {
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void a_value_of_another_type_than_declared_is_declined_and_the_mapper_judges_it() {
        List polluted = new ArrayList<>(List.of(new Other("x")));
        Map pollutedMap = new HashMap<>(Map.of("k", "not a number"));

        for (Holder value : List.of(new Holder(polluted, Map.of()), new Holder(List.of(), pollutedMap))) {
            assertThat(RecordJson.write(value)).isNull();
        }
    }

    record Measured(String name, double weight, List<Float> readings) {
    }

    @Test
    void with_a_field_writer_a_record_holding_doubles_or_floats_is_declined_and_without_one_it_is_written() {
        Measured value = new Measured("n", 1e10, List.of(0.1f));

        assertThat(RecordJson.write(value, Set.of("name"), (g, f, t) -> g.writeString("x"))).isNull();
        assertThat(RecordJson.write(value, Set.of("name"), null)).isEqualTo("{\"name\":\"n\",\"weight\":1.0E10,"
                + "\"readings\":[0.1]}");
    }

    @Test
    void a_value_only_the_mapper_can_judge_at_run_time_is_declined() {
        Map<String, BigDecimal> nullKey = new HashMap<>();
        nullKey.put(null, BigDecimal.ONE);
        Everything value = new Everything(null, false, null, 0, null, 0, null, 0, null, 0, null, null, null, null,
                null, null, null, null, null, null, null, nullKey, null);

        assertThat(RecordJson.write(value)).isNull();
        assertThatThrownBy(() -> mapper(value)).hasMessageContaining("Null key");
    }

    private static Everything everything(Random r) {
        Map<String, BigDecimal> prices = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            prices.put(text(r), r.nextInt(5) == 0 ? null : decimal(r));
        }
        Map<String, List<Instant>> times = new LinkedHashMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            times.put(text(r), List.of(instant(r), instant(r)));
        }
        Set<Colour> colours = new LinkedHashSet<>();
        if (r.nextBoolean()) {
            colours.add(Colour.values()[r.nextInt(2)]);
        }
        List<String> names = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            names.add(r.nextInt(6) == 0 ? null : text(r));
        }
        return new Everything(maybe(r, text(r)), r.nextBoolean(), maybe(r, r.nextBoolean()), r.nextInt(),
                maybe(r, r.nextInt()), r.nextLong(), maybe(r, r.nextLong()), dbl(r), maybe(r, dbl(r)),
                (float) dbl(r), maybe(r, (float) dbl(r)), maybe(r, decimal(r)), maybe(r, decimal(r)),
                maybe(r, new BigInteger(r.nextInt(200) + 1, r).subtract(BigInteger.TEN.pow(20))),
                maybe(r, instant(r)), maybe(r, new UUID(r.nextLong(), r.nextLong())),
                maybe(r, Colour.values()[r.nextInt(2)]), maybe(r, new Inner(maybe(r, text(r)), List.of(r.nextInt()))),
                maybe(r, names), colours, List.of(new Inner(text(r), List.of())), prices, times);
    }

    private static <T> T maybe(Random r, T value) {
        return r.nextInt(8) == 0 ? null : value;
    }

    /** Any characters: quotes, backslashes, control characters, non-ASCII, pairs and lone surrogates. */
    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            switch (r.nextInt(6)) {
                case 0 -> b.append((char) r.nextInt(0x20));
                case 1 -> b.append("\"\\/\u007f\u2028".charAt(r.nextInt(5)));
                case 2 -> b.append((char) (0x80 + r.nextInt(0x700)));
                case 3 -> b.appendCodePoint(0x10000 + r.nextInt(0x1000));
                case 4 -> b.append((char) (0xD800 + r.nextInt(0x800)));
                default -> b.append((char) ('a' + r.nextInt(26)));
            }
        }
        return b.toString();
    }

    private static BigDecimal decimal(Random r) {
        return new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(40) - 20);
    }

    private static double dbl(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> r.nextInt(1000) / 100.0;
            case 2 -> Double.MIN_VALUE;
            case 3 -> 1e300 * r.nextDouble();
            default -> r.nextGaussian();
        };
    }

    private static Instant instant(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 253_402_300_799L), r.nextInt(1_000_000_000));
            case 1 -> Instant.ofEpochMilli(r.nextLong(0, 4_000_000_000_000L));
            case 2 -> Instant.ofEpochSecond(r.nextLong(-100_000_000_000L, 300_000_000_000L));
            default -> Instant.ofEpochSecond(r.nextInt(2_000_000_000));
        };
    }
}
