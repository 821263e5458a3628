package dev.nosqles.runtime.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A client that writes exactly the bytes it is given and reads whatever comes back, timed. */
final class RawHttp {
    /** What came back: no answer at all is {@code status} -1. */
    record Answer(int status, Map<String, String> headers, String body, long millis) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final URI base;

    RawHttp(URI base) {
        this.base = base;
    }

    /** A well-framed request (Content-Length when there is a body); headers as given, in order. */
    static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: localhost\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** Sends the bytes (on another thread, so a server answering early is read) and reads the answer. */
    Answer send(byte[] bytes, int waitMillis) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(waitMillis);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(bytes);
                    out.flush();
                } catch (IOException e) {
                    // answered and closed early: the answer is read below
                }
            });
            InputStream in = socket.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (SocketTimeoutException | java.net.SocketException e) {
                return new Answer(-1, Map.of(), "", (System.nanoTime() - start) / 1_000_000);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (first < 0) {
                return new Answer(-1, Map.of(), "", millis);
            }
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(first);
            try {
                in.transferTo(rest);
            } catch (IOException e) {
                // a reset after the answer: keep what arrived
            }
            writer.interrupt();
            return parse(rest.toString(StandardCharsets.UTF_8), millis);
        }
    }

    private static Answer parse(String text, long millis) {
        int split = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || split < 0) {
            return new Answer(-1, Map.of(), text, millis);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String[] lines = text.substring(0, split).split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headers, text.substring(split + 4), millis);
    }
}
