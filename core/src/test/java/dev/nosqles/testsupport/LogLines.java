package dev.nosqles.testsupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;

/** What one class logs (through SLF4J to log4j) while a test runs: messages, levels, MDC, exceptions. */
public final class LogLines implements AutoCloseable {
    /** One line. */
    public record Line(String level, String message, Map<String, String> mdc, Throwable thrown) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final org.apache.logging.log4j.core.Logger logger;
    private final AbstractAppender appender;

    private final org.apache.logging.log4j.Level before;
    private final String name;

    private LogLines(String name) {
        this.name = name;
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        before = (name == null ? context.getRootLogger() : context.getLogger(name)).getLevel();
        // every level while capturing (the default configuration passes ERROR only)
        if (name == null) {
            Configurator.setRootLevel(org.apache.logging.log4j.Level.ALL);
            // the AWS SDK's DEBUG and TRACE lines are its requests, thousands per test: WARN as in the functions
            Configurator.setLevel("software.amazon.awssdk", org.apache.logging.log4j.Level.WARN);
        } else {
            Configurator.setLevel(name, org.apache.logging.log4j.Level.ALL);
        }
        logger = name == null ? context.getRootLogger() : context.getLogger(name);
        appender = new AbstractAppender("capture-" + (name == null ? "all" : name), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(new Line(event.getLevel().name(), event.getMessage().getFormattedMessage(),
                        Map.copyOf(event.getContextData().toMap()), event.getThrown()));
            }
        };
        appender.start();
        logger.addAppender(appender);
    }

    public static LogLines of(Class<?> type) {
        return new LogLines(type.getName());
    }

    /** Every logger's lines at every level (the AWS SDK's from WARN on). */
    public static LogLines all() {
        return new LogLines(null);
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    public List<String> messages() {
        return lines.stream().map(Line::message).toList();
    }

    @Override
    public void close() {
        logger.removeAppender(appender);
        appender.stop();
        if (name == null) {
            Configurator.setRootLevel(before);
        } else {
            Configurator.setLevel(name, before);
        }
    }
}
