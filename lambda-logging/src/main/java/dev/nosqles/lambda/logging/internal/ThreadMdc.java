package dev.nosqles.lambda.logging.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC of the JSON log lines: one map per thread, <b>not</b> inherited by the threads it starts (SLF4J's
 * {@code BasicMDCAdapter} is: a thread an SDK client starts during an invocation would log that invocation's
 * request id for good). Keys keep the order they were put in.
 */
public final class ThreadMdc implements MDCAdapter {
    private final ThreadLocal<Map<String, String>> values = ThreadLocal.withInitial(LinkedHashMap::new);
    private final ThreadLocal<Map<String, Deque<String>>> deques = ThreadLocal.withInitial(HashMap::new);

    @Override
    public void put(String key, String value) {
        if (key == null) {
            throw new IllegalArgumentException("key cannot be null");
        }
        values.get().put(key, value);
    }

    @Override
    public String get(String key) {
        return key == null ? null : values.get().get(key);
    }

    @Override
    public void remove(String key) {
        if (key != null) {
            values.get().remove(key);
        }
    }

    @Override
    public void clear() {
        values.remove();
        deques.remove();
    }

    @Override
    public Map<String, String> getCopyOfContextMap() {
        Map<String, String> current = values.get();
        return current.isEmpty() ? null : new LinkedHashMap<>(current);
    }

    /** The live map of this thread (read it, do not keep it). */
    Map<String, String> current() {
        return values.get();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void setContextMap(Map contextMap) {
        Map<String, String> current = values.get();
        current.clear();
        if (contextMap != null) {
            current.putAll(contextMap);
        }
    }

    @Override
    public void pushByKey(String key, String value) {
        deques.get().computeIfAbsent(key, k -> new ArrayDeque<>()).push(value);
    }

    @Override
    public String popByKey(String key) {
        Deque<String> deque = deques.get().get(key);
        return deque == null ? null : deque.poll();
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        Deque<String> deque = deques.get().get(key);
        return deque == null ? null : new ArrayDeque<>(deque);
    }

    @Override
    public void clearDequeByKey(String key) {
        Deque<String> deque = deques.get().get(key);
        if (deque != null) {
            deque.clear();
        }
    }
}
