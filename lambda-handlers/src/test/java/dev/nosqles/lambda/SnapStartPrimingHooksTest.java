package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which checkpoint hooks run the priming: the {@code org.crac} context the managed java21 runtime fires, and the
 * {@code com.amazonaws.services.lambda.crac} context the runtime interface client fires (that client is on this
 * module's test classpath, as it is in the runtime). Under the client end to end: RuntimeInterfaceClientTest in
 * infra/runtime.
 */
class SnapStartPrimingHooksTest {

    @BeforeAll
    static void loadTheClientsNativeLibrary() throws Exception {
        // the client's context clears the JVM's DNS cache through its JNI library before a checkpoint; unpacked to a
        // file of this JVM's own (the client's default, /tmp/.libaws-lambda-jni.so, is shared by every JVM)
        String name = System.getProperty("os.arch").equals("aarch64") ? "libaws-lambda-jni.linux-aarch_64.so"
                : "libaws-lambda-jni.linux-x86_64.so";
        java.nio.file.Path file = java.nio.file.Files.createTempFile("libaws-lambda-jni-", ".so");
        file.toFile().deleteOnExit();
        try (var in = SnapStartPrimingHooksTest.class.getResourceAsStream("/jni/" + name)) {
            java.nio.file.Files.copy(java.util.Objects.requireNonNull(in, name), file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        System.setProperty("com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI",
                file.toString());
        com.amazonaws.services.lambda.runtime.api.client.runtimeapi.JniHelper.load();
    }

    @Test
    void the_runtime_interface_clients_checkpoint_runs_the_priming() throws Exception {
        AtomicInteger primed = new AtomicInteger();
        SnapStartPriming priming = SnapStartPriming.register(primed::incrementAndGet);

        assertThat(priming.registeredWithRuntimeClient()).isTrue();
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().beforeCheckpoint(null);

        assertThat(primed).hasValue(1);
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().afterRestore(null);
    }

    @Test
    void a_runtime_that_fires_both_contexts_primes_once_per_checkpoint() throws Exception {
        AtomicInteger primed = new AtomicInteger();
        SnapStartPriming priming = SnapStartPriming.register(primed::incrementAndGet);

        priming.beforeCheckpoint(null); // what the org.crac context does
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().beforeCheckpoint(null);
        assertThat(primed).hasValue(1);

        com.amazonaws.services.lambda.crac.Core.getGlobalContext().afterRestore(null);
        priming.beforeCheckpoint(null); // a later checkpoint primes again
        assertThat(primed).hasValue(2);
    }

    @Test
    void without_the_runtime_interface_client_on_the_classpath_only_org_crac_is_used() throws Exception {
        AtomicInteger primed = new AtomicInteger();
        SnapStartPriming priming = SnapStartPriming.register(primed::incrementAndGet);
        try (URLClassLoader withoutClient = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            assertThat(SnapStartPriming.registerWithLambdaContext(priming, withoutClient)).isNull();
        }
    }

    @Test
    void a_failing_priming_does_not_stop_the_checkpoint() throws Exception {
        SnapStartPriming.register(() -> {
            throw new IllegalStateException("table not there");
        });
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().beforeCheckpoint(null);
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().afterRestore(null);
    }
}
