package dev.nosqles.runtime.http;

import java.time.Duration;

/**
 * What the local API server accepts from a client, like a production front door: sizes answered with
 * 414 (request line), 431 (header section) and 413 (body); a client that sends nothing for {@code readTimeout},
 * or has not sent its whole request within {@code requestDeadline}, is answered 408 and disconnected; at most
 * {@code maxConnections} connections are served at once (503 beyond).
 *
 * @param maxRequestLine bytes of {@code METHOD /path?query HTTP/1.1}
 * @param maxHeaderBytes bytes of the header section
 * @param maxHeaders header fields
 * @param maxBodyBytes bytes of the body
 * @param readTimeout longest wait for the next bytes of a request
 * @param requestDeadline longest time from connection to the whole request read
 * @param maxConnections connections served at once
 */
public record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaders, int maxBodyBytes,
                     Duration readTimeout, Duration requestDeadline, int maxConnections) {
    /** 8 KiB request line, 16 KiB and 100 header fields, 1 MiB body, 2 s idle, 4 s per request, 256 connections. */
    public static final Limits DEFAULT = new Limits(8 * 1024, 16 * 1024, 100, 1024 * 1024,
            Duration.ofSeconds(2), Duration.ofSeconds(4), 256);
}
