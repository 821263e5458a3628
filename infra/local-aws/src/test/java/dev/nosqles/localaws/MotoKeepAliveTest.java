package dev.nosqles.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The local moto keeps a client's connection open between requests (serve_moto.py's KeepAliveRequestHandler), and
 * still closes it whenever the next request could not be found on it. Raw HTTP/1.1 over one socket, so what is
 * checked is the server's framing, not a client's pool.
 */
@Tag("moto")
class MotoKeepAliveTest {

    private static final String BODY = "{}";

    private static LocalAws aws;

    @BeforeAll
    static void start() {
        aws = LocalAws.startMoto();
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    @Test
    void a_connection_serves_one_request_after_another_without_being_closed() throws IOException {
        try (Socket socket = connect()) {
            for (int i = 0; i < 3; i++) {
                send(socket, listTables(""));
                Response response = read(socket.getInputStream());
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).contains("TableNames");
                assertThat(response.header("connection")).isNotEqualToIgnoringCase("close");
                // the Date header is formatted once per second, and still tells the time
                Instant date = ZonedDateTime.parse(response.header("date"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                assertThat(Duration.between(date, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void an_action_moto_does_not_implement_still_fails_and_the_connection_serves_the_next_request() throws IOException {
        try (Socket socket = connect()) {
            // in DynamoDB's API, not in moto's handler: moto raises NotImplementedError, the server answers 500
            send(socket, listTables("").replace("ListTables", "ListGlobalTables"));
            Response refused = read(socket.getInputStream());
            assertThat(refused.status()).isEqualTo(500);
            send(socket, listTables(""));
            assertThat(read(socket.getInputStream()).status()).isEqualTo(200);
        }
    }

    @Test
    void two_requests_sent_in_one_write_are_both_answered_in_order() throws IOException {
        try (Socket socket = connect()) {
            // the second request is already in the server's buffer when the first is answered: neither the body
            // reader nor the after-response drain may swallow it
            send(socket, listTables("") + listTables("").replace("ListTables", "DescribeLimits"));
            Response first = read(socket.getInputStream());
            Response second = read(socket.getInputStream());
            assertThat(first.body()).contains("TableNames");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("AccountMaxReadCapacityUnits");
        }
    }

    @Test
    void a_client_that_asks_for_close_gets_its_connection_closed() throws IOException {
        try (Socket socket = connect()) {
            send(socket, listTables("Connection: close\r\n"));
            Response response = read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void a_request_that_cannot_be_parsed_after_a_good_one_closes_the_connection() throws IOException {
        try (Socket socket = connect()) {
            send(socket, listTables(""));
            assertThat(read(socket.getInputStream()).status()).isEqualTo(200);
            send(socket, "NOT A REQUEST LINE AT ALL\r\n\r\n");
            // http.server answers a line it cannot parse as HTTP/0.9 would: a bare error page, then the close
            String refused = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(refused).contains("Error code: 400");
        }
    }

    @Test
    void a_chunked_request_is_answered_and_its_connection_closed() throws IOException {
        try (Socket socket = connect()) {
            send(socket, head("Transfer-Encoding: chunked\r\n") + Integer.toHexString(BODY.length()) + "\r\n" + BODY
                    + "\r\n0\r\n\r\n");
            Response response = read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static Socket connect() throws IOException {
        URI endpoint = aws.endpoint();
        Socket socket = new Socket(endpoint.getHost(), endpoint.getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String listTables(String extraHeaders) {
        return head("Content-Length: " + BODY.length() + "\r\n" + extraHeaders) + BODY;
    }

    private static String head(String extraHeaders) {
        return "POST / HTTP/1.1\r\n"
                + "Host: " + aws.endpoint().getAuthority() + "\r\n"
                + "X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                + "Content-Type: application/x-amz-json-1.0\r\n"
                + "Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                + "SignedHeaders=host, Signature=0\r\n"
                + extraHeaders + "\r\n";
    }

    private static void send(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    /** One response: its status line and headers, then exactly Content-Length bytes of body. */
    private static Response read(InputStream in) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        assertThat(body).hasSize(length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before a whole response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII).trim();
    }
}
