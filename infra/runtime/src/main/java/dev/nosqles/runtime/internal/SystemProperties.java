package dev.nosqles.runtime.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Sets JVM system properties and puts the previous values back on {@link #restore()}. */
public final class SystemProperties {
    private final Map<String, String> previous = new LinkedHashMap<>();

    public static SystemProperties set(Map<String, String> values) {
        SystemProperties props = new SystemProperties();
        values.forEach((name, value) -> {
            props.previous.put(name, System.getProperty(name));
            System.setProperty(name, value);
        });
        return props;
    }

    public void restore() {
        previous.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }
}
