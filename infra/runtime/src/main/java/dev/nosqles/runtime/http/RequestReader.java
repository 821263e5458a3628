package dev.nosqles.runtime.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one HTTP/1.1 request from a socket within limits: the request line, the header section and the body
 * (Content-Length or chunked), each bounded in size, every read bounded by an idle timeout and the whole request
 * by a deadline. Anything it cannot accept is a {@link Refusal} with the status to answer; nothing it reads is
 * ever put into a message.
 */
final class RequestReader {
    /** What was read. Header names lower-cased, values as sent (ISO-8859-1), in order. */
    record Request(String method, String target, String protocol, List<String[]> headers, byte[] body) {
        String header(String name) {
            String found = null;
            for (String[] h : headers) {
                if (h[0].equals(name)) {
                    found = found == null ? h[1] : found + "," + h[1];
                }
            }
            return found;
        }
    }

    /** The request cannot be served: answer {@code status} with a problem of this code, then close. */
    static final class Refusal extends Exception {
        private final int status;
        private final String code;
        private final String field;

        Refusal(int status, String code, String detail, String field) {
            super(detail, null, false, false);
            this.status = status;
            this.code = code;
            this.field = field;
        }

        int status() {
            return status;
        }

        String code() {
            return code;
        }

        String field() {
            return field;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Limits limits;
    private final long deadline;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int end;

    RequestReader(Socket socket, Limits limits) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.limits = limits;
        this.deadline = System.nanoTime() + limits.requestDeadline().toNanos();
    }

    /** @return the request, or null when the client closed the connection before sending anything */
    Request read() throws IOException, Refusal {
        String line = line(limits.maxRequestLine(), 414, "uri-too-long",
                "the request line must be at most " + limits.maxRequestLine() + " bytes", true);
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || parts[1].isEmpty()) {
            throw bad("the request line must be: METHOD /path HTTP/1.1");
        }
        if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
            throw bad("only HTTP/1.0 and HTTP/1.1 are served");
        }
        String target = parts[1];
        if (target.charAt(0) != '/' || !target.chars().allMatch(c -> c > 0x20 && c < 0x7f)
                || !Percent.isWellFormed(target)) {
            throw bad("the request target must be a path of visible ASCII with well-formed %XX escapes");
        }
        List<String[]> headers = headers();
        Request head = new Request(parts[0], target, parts[2], headers, new byte[0]);
        return new Request(parts[0], target, parts[2], headers, body(head));
    }

    private List<String[]> headers() throws IOException, Refusal {
        List<String[]> headers = new ArrayList<>();
        int total = 0;
        while (true) {
            String line = line(limits.maxHeaderBytes() - total, 431, "header-fields-too-large",
                    "the header section must be at most " + limits.maxHeaderBytes() + " bytes", false);
            if (line == null) {
                throw bad("the header section ended early");
            }
            total += line.length() + 2;
            if (line.isEmpty()) {
                return headers;
            }
            if (headers.size() >= limits.maxHeaders()) {
                throw new Refusal(431, "header-fields-too-large",
                        "a request may have at most " + limits.maxHeaders() + " header fields", null);
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw bad("each header field must be name: value (no folding)");
            }
            String value = line.substring(colon + 1).strip();
            if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
                throw bad("a header value must not contain control characters");
            }
            headers.add(new String[] {line.substring(0, colon).toLowerCase(Locale.ROOT), value});
        }
    }

    private byte[] body(Request head) throws IOException, Refusal {
        String transferEncoding = head.header("transfer-encoding");
        String contentLength = head.header("content-length");
        if (transferEncoding != null) {
            if (contentLength != null) {
                throw bad("a request must not have both Transfer-Encoding and Content-Length");
            }
            if (!transferEncoding.strip().equalsIgnoreCase("chunked")) {
                throw new Refusal(400, "bad-request", "the only transfer coding served is chunked",
                        "Transfer-Encoding");
            }
            continueIfExpected(head);
            return chunked();
        }
        if (contentLength == null) {
            return new byte[0];
        }
        if (!contentLength.matches("[0-9]{1,12}")) {
            throw new Refusal(400, "bad-request", "Content-Length must be one number in digits", "Content-Length");
        }
        long length = Long.parseLong(contentLength);
        if (length > limits.maxBodyBytes()) {
            throw tooLarge();
        }
        continueIfExpected(head);
        byte[] body = new byte[(int) length];
        int n = 0;
        while (n < length) {
            if (pos == end && !fill()) {
                throw bad("the body ended before Content-Length bytes");
            }
            int take = Math.min(end - pos, (int) length - n);
            System.arraycopy(buffer, pos, body, n, take);
            pos += take;
            n += take;
        }
        return body;
    }

    private byte[] chunked() throws IOException, Refusal {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(64, 400, "bad-request", "a chunk size line must be short", false);
            if (sizeLine == null) {
                throw bad("the chunked body ended early");
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
            if (!hex.matches("[0-9A-Fa-f]{1,8}")) {
                throw bad("a chunk size must be hexadecimal digits");
            }
            long size = Long.parseLong(hex, 16);
            if (body.size() + size > limits.maxBodyBytes()) {
                throw tooLarge();
            }
            if (size == 0) {
                // trailer fields, read and dropped, then the empty line
                int trailers = 0;
                while (true) {
                    String trailer = line(limits.maxHeaderBytes(), 431, "header-fields-too-large",
                            "the trailer section is too large", false);
                    if (trailer == null || trailer.isEmpty()) {
                        return body.toByteArray();
                    }
                    if (++trailers > limits.maxHeaders()) {
                        throw new Refusal(431, "header-fields-too-large", "too many trailer fields", null);
                    }
                }
            }
            for (long left = size; left > 0; ) {
                if (pos == end && !fill()) {
                    throw bad("the chunked body ended early");
                }
                int take = (int) Math.min(end - pos, left);
                body.write(buffer, pos, take);
                pos += take;
                left -= take;
            }
            String crlf = line(2, 400, "bad-request", "a chunk must end with CRLF", false);
            if (crlf == null || !crlf.isEmpty()) {
                throw bad("a chunk must end with CRLF");
            }
        }
    }

    private void continueIfExpected(Request head) throws IOException {
        String expect = head.header("expect");
        if (expect != null && expect.equalsIgnoreCase("100-continue") && head.protocol().equals("HTTP/1.1")) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /**
     * One line without its CRLF (a bare LF is accepted), at most {@code max} bytes; null at the end of the stream
     * ({@code atStart}: only before the first byte; else an early end is reported by the caller).
     */
    private String line(int max, int status, String code, String detail, boolean atStart)
            throws IOException, Refusal {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos == end && !fill()) {
                return null;
            }
            byte b = buffer[pos++];
            if (b == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= max) {
                throw new Refusal(status, code, detail, null);
            }
            sb.append((char) (b & 0xff));
        }
    }

    /** Reads more bytes within the idle timeout and the request's deadline; false at the end of the stream. */
    private boolean fill() throws IOException, Refusal {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timeout();
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(limits.readTimeout().toMillis(), left / 1_000_000)));
        int n;
        try {
            n = in.read(buffer, 0, buffer.length);
        } catch (SocketTimeoutException e) {
            throw timeout();
        }
        if (n < 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    private static Refusal timeout() {
        return new Refusal(408, "request-timeout", "the request did not arrive in time", null);
    }

    private Refusal tooLarge() {
        return new Refusal(413, "content-too-large", "the body must be at most " + limits.maxBodyBytes() + " bytes",
                "body");
    }

    private static Refusal bad(String detail) {
        return new Refusal(400, "bad-request", detail, null);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
