package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.app.api.ApiHandler;
import dev.nosqles.app.saga.CustomerCommandHandler;
import dev.nosqles.app.saga.OrderCommandHandler;
import dev.nosqles.app.saga.OrderSagaStreamHandler;
import dev.nosqles.app.saga.SagaReplyHandler;
import dev.nosqles.app.saga.SagaSweepHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ADR 0010: an entry point has a public no-arg constructor (the Lambda runtime's), a {@code (Function<String,
 * String> env)} constructor (the local runtime's) and one constructor taking dependencies for tests; no more.
 */
class EntryPointConstructorsTest {

    @ParameterizedTest
    @ValueSource(classes = {OrderCommandHandler.class, CustomerCommandHandler.class, SagaReplyHandler.class,
            SagaSweepHandler.class, OrderSagaStreamHandler.class, EventPublisherHandler.class, ApiHandler.class})
    void an_entry_point_is_final_and_has_the_runtimes_the_environments_and_one_test_constructor(Class<?> entryPoint) {
        List<Constructor<?>> constructors = Arrays.asList(entryPoint.getConstructors());

        assertThat(Modifier.isFinal(entryPoint.getModifiers())).as("final").isTrue();
        assertThat(constructors).as("public constructors").hasSize(3);
        assertThat(constructors).anySatisfy(c -> assertThat(c.getParameterTypes()).isEmpty());
        assertThat(constructors).anySatisfy(c -> assertThat(c.getParameterTypes()).containsExactly(Function.class));
    }
}
