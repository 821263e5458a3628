package dev.nosqles.localaws;

import java.util.Map;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.regions.Region;

/** LocalStack through Testcontainers; only loaded when {@link Backend#LOCALSTACK} is chosen. */
final class LocalStackLauncher {
    private LocalStackLauncher() {
    }

    static LocalAws start(Map<String, String> env) {
        String image = env.getOrDefault("LOCALSTACK_IMAGE", "localstack/localstack:4");
        @SuppressWarnings("resource")
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("localstack/localstack"))
                .withEnv("LOCALSTACK_AUTH_TOKEN", env.getOrDefault("LOCALSTACK_AUTH_TOKEN", ""));
        container.start();
        return LocalAws.of(Backend.LOCALSTACK, container.getEndpoint(), Region.of(container.getRegion()),
                "LocalStack " + image + " at " + container.getEndpoint(), container::stop);
    }
}
