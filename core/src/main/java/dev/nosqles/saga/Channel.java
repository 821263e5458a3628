package dev.nosqles.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nosqles.internal.Json;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A typed destination of saga commands: a logical channel name (mapped to a queue by the wiring, never by the
 * saga), the participant's command type and the stable wire name of each command class. The saga definition and
 * the participant share one {@code Channel} constant, which is the contract between them.
 *
 * <pre>{@code
 * static final Channel<CustomerCommand> CUSTOMER = Channel.builder("customer-commands", CustomerCommand.class)
 *     .command("ReserveCredit", ReserveCredit.class)
 *     .command("ReleaseCredit", ReleaseCredit.class)
 *     .build();
 * }</pre>
 *
 * @param <C> the participant's commands
 */
public final class Channel<C> {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,79}");
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,99}");

    private final String name;
    private final Class<C> commandClass;
    private final Map<String, Class<? extends C>> byName;
    private final Map<Class<?>, String> byClass;
    private final String participant;

    private Channel(Builder<C> builder) {
        this.name = builder.name;
        this.commandClass = builder.commandClass;
        this.byName = Map.copyOf(builder.byName);
        this.byClass = Map.copyOf(builder.byClass);
        this.participant = builder.participant;
    }

    /**
     * The aggregate type of the participant whose stream records this channel's commands, when it lives in the
     * saga's events table ({@link Builder#participant}); empty otherwise.
     */
    public java.util.Optional<String> participant() {
        return java.util.Optional.ofNullable(participant);
    }

    /**
     * @param name the logical channel name: lower-case letters, digits and dashes
     * @param commandClass the participant's command type (usually a sealed interface)
     */
    public static <C> Builder<C> builder(String name, Class<C> commandClass) {
        return new Builder<>(name, commandClass);
    }

    public String name() {
        return name;
    }

    public Class<C> commandClass() {
        return commandClass;
    }

    /** The wire names of the registered commands. */
    public Set<String> commandTypes() {
        return byName.keySet();
    }

    /** The wire name of a command. */
    public String typeOf(C command) {
        String type = byClass.get(command.getClass());
        if (type == null) {
            throw new IllegalArgumentException("command class " + command.getClass().getSimpleName()
                    + " is not registered on channel " + name);
        }
        return type;
    }

    /** The command as a JSON object. */
    public String encode(C command) {
        typeOf(command);
        try {
            return Json.mapper().writeValueAsString(command);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise a " + typeOf(command) + " for channel " + name);
        }
    }

    /**
     * Reads a command of a registered wire type.
     *
     * @throws SagaMessageException the type is unknown or the JSON does not make a valid command
     */
    public C decode(String commandType, String json) {
        Class<? extends C> type = byName.get(commandType);
        if (type == null) {
            throw new SagaMessageException("command", "commandType", "is not registered on channel " + name);
        }
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new SagaMessageException("command", "command", "is not a valid " + commandType + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public String toString() {
        return "Channel[" + name + "]";
    }

    /** Builds a {@link Channel}. */
    public static final class Builder<C> {
        private final String name;
        private final Class<C> commandClass;
        private final Map<String, Class<? extends C>> byName = new LinkedHashMap<>();
        private final Map<Class<?>, String> byClass = new HashMap<>();
        private String participant;

        private Builder(String name, Class<C> commandClass) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("channel name must match " + NAME.pattern());
            }
            this.name = name;
            this.commandClass = Objects.requireNonNull(commandClass, "commandClass");
        }

        /** Registers a command class under its stable wire name. */
        public Builder<C> command(String typeName, Class<? extends C> type) {
            Objects.requireNonNull(type, "type");
            if (typeName == null || !TYPE.matcher(typeName).matches()) {
                throw new IllegalArgumentException("command type name must match " + TYPE.pattern());
            }
            if (byName.containsKey(typeName) || byClass.containsKey(type)) {
                throw new IllegalArgumentException("command " + typeName + " registered twice on channel " + name);
            }
            byName.put(typeName, type);
            byClass.put(type, typeName);
            return this;
        }

        /**
         * Optional: the aggregate type of the participant, when its streams are in the saga's events table (a
         * {@link SagaParticipant} over that type, the target id being its aggregate id). A deadline then looks in the
         * participant's stream before it gives up: a participant that recorded the command has answered, its reply is
         * on its way through a backlog, and the saga re-sends instead of compensating (ADR 0013). Without it a
         * deadline acts on the saga alone.
         *
         * @param aggregateType the participant's aggregate type (its stream ids are {@code <type>-<target>})
         */
        public Builder<C> participant(String aggregateType) {
            if (aggregateType == null || aggregateType.isBlank()) {
                throw new IllegalArgumentException("the participant's aggregate type must not be blank");
            }
            this.participant = aggregateType;
            return this;
        }

        public Channel<C> build() {
            if (byName.isEmpty()) {
                throw new IllegalStateException("channel " + name + " needs at least one command");
            }
            return new Channel<>(this);
        }
    }
}
