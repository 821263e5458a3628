package dev.nosqles.localaws;

import java.util.Map;

/**
 * Which AWS the tests and {@code make run} talk to. Decided in exactly one place: {@link #decide}.
 */
public enum Backend {
    /** {@code AWS_ENDPOINT_URL} is set: use that endpoint as it is (real AWS, LocalStack, moto you started). */
    ENDPOINT,
    /** LocalStack in Docker through Testcontainers. */
    LOCALSTACK,
    /** moto's standalone server from the project's virtualenv on a free loopback port (the default). */
    MOTO,
    /** MiniStack from {@code .venv-ministack} (installed by {@code infra/bin/backend.sh ministack}) on a free port. */
    MINISTACK;

    /**
     * The decision, as a pure function of the environment so that it can be tested.
     * <ol>
     *   <li>{@code NOSQLES_BACKEND} = {@code moto}, {@code ministack}, {@code localstack} or {@code endpoint}
     *       forces a choice;</li>
     *   <li>else {@code AWS_ENDPOINT_URL} set: {@link #ENDPOINT};</li>
     *   <li>else Docker reachable and {@code LOCALSTACK_AUTH_TOKEN} set (current LocalStack images need it):
     *       {@link #LOCALSTACK};</li>
     *   <li>else {@link #MOTO}.</li>
     * </ol>
     */
    public static Backend decide(Map<String, String> env, boolean dockerAvailable) {
        String forced = env.get("NOSQLES_BACKEND");
        if (forced != null && !forced.isBlank()) {
            return switch (forced.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "moto" -> MOTO;
                case "ministack" -> MINISTACK;
                case "localstack" -> LOCALSTACK;
                case "endpoint" -> {
                    if (blank(env.get("AWS_ENDPOINT_URL"))) {
                        throw new IllegalStateException("NOSQLES_BACKEND=endpoint needs AWS_ENDPOINT_URL");
                    }
                    yield ENDPOINT;
                }
                default -> throw new IllegalStateException(
                        "NOSQLES_BACKEND must be moto, ministack, localstack or endpoint, not '" + forced + "'");
            };
        }
        if (!blank(env.get("AWS_ENDPOINT_URL"))) {
            return ENDPOINT;
        }
        if (dockerAvailable && !blank(env.get("LOCALSTACK_AUTH_TOKEN"))) {
            return LOCALSTACK;
        }
        return MOTO;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
