package dev.nosqles.runtime.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Generates hostile requests, category by category, from a seed: each with the answers the API reference allows
 * for it (a 4xx problem, or the documented success when the generated input happens to be valid).
 */
final class HostileRequests {
    /** A marker put in every generated body and custom header: it must never reach a log line or an answer. */
    static final String CANARY = "zqxCANARYjv";

    /** One request: its raw bytes and the statuses the contract allows. */
    record Case(String category, String label, byte[] bytes, Set<Integer> allowed, boolean head) {
        @Override
        public String toString() {
            return category + ": " + label;
        }
    }

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final int[] DIGIT_ZEROS = {0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0xFF10, 0x1D7CE, 0x1040};

    private final Random random;
    private final String customerId;
    private final String orderId;
    private final String orderKey;
    private final List<Case> cases = new ArrayList<>();

    /**
     * @param customerId a customer of the anonymous caller
     * @param orderId an approved order of the anonymous caller, for that customer
     * @param orderKey the Idempotency-Key that created {@code orderId} (whose id the API derived from it)
     */
    HostileRequests(long seed, String customerId, String orderId, String orderKey) {
        this.random = new Random(seed);
        this.customerId = customerId;
        this.orderId = orderId;
        this.orderKey = orderKey;
    }

    List<Case> all() {
        malformedJson(30);
        types(25);
        amounts(35);
        texts(35);
        sizes(20);
        nesting(20);
        idsAndPaths(30);
        methods(25);
        contentTypes(25);
        headers(25);
        framing(25);
        query(25);
        idempotencyKeys(25);
        return List.copyOf(cases);
    }

    // ---- categories ----

    private void malformedJson(int n) {
        String valid = customerBody("Ann", "10.00");
        List<String> fixed = List.of("[]", "null", "\"s\"", "1", "{} {}", "{'name':'Ann'}", "{\"name\":\"Ann\",}",
                "{\"name\":\"Ann\" /*c*/}", "{\"name\":NaN}", "\uFEFF" + valid, "{\"a\":01}", "{\"a\":\"\\x41\"}",
                "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}", "{\"a\" \"b\"}", "{\"a\":[1,,2]}", "{\"a\":tru}");
        for (String body : fixed) {
            add("malformed-json", "fixed " + cases.size(), post("/customers", JSON, utf8(body)), 400);
        }
        while (count("malformed-json") < n) {
            if (random.nextBoolean()) {
                int cut = random.nextInt(valid.length() - 1);
                add("malformed-json", "truncated at " + cut, post("/customers", JSON, utf8(valid.substring(0, cut))),
                        400);
            } else {
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                junk[0] = (byte) ('#' + random.nextInt(3)); // never starts a JSON value
                add("malformed-json", "random bytes", post("/customers", JSON, junk), 400);
            }
        }
    }

    private void types(int n) {
        String[] values = {"42", "true", "[]", "{}", "[\"Ann\"]", "{\"a\":1}", "1.5", "-0", "100", "1e2", "100.00",
            "[\"1\"]", "false"};
        while (count("types") < n) {
            String v = values[random.nextInt(values.length)];
            switch (random.nextInt(3)) {
                case 0 -> add("types", "name " + v, post("/customers", JSON,
                        utf8("{\"name\":" + v + ",\"creditLimit\":\"1\",\"note\":\"" + CANARY + "\"}")), 400);
                case 1 -> add("types", "creditLimit " + v, post("/customers", JSON,
                        utf8("{\"name\":\"Ann\",\"creditLimit\":" + v + ",\"note\":\"" + CANARY + "\"}")), 400);
                default -> add("types", "customerId " + v, post("/orders", JSON,
                        utf8("{\"customerId\":" + v + ",\"orderTotal\":\"1\",\"note\":\"" + CANARY + "\"}")), 400);
            }
        }
    }

    private void amounts(int n) {
        while (count("amounts") < n) {
            boolean valid = random.nextInt(4) == 0;
            String amount = valid ? validAmount() : invalidAmount();
            boolean order = random.nextBoolean();
            byte[] body = order ? utf8(orderBody(customerId, amount)) : utf8(customerBody("Ann", amount));
            add("amounts", (valid ? "valid " : "invalid ") + ascii(amount), post(order ? "/orders" : "/customers",
                    JSON, body), valid ? 201 : 400);
        }
    }

    private String validAmount() {
        StringBuilder s = new StringBuilder().append(1 + random.nextInt(9));
        int digits = random.nextInt(13);
        for (int i = 0; i < digits; i++) {
            s.append(random.nextInt(10));
        }
        return switch (random.nextInt(3)) {
            case 0 -> s.toString();
            case 1 -> s + "." + random.nextInt(10);
            default -> s + "." + random.nextInt(10) + random.nextInt(10);
        };
    }

    private String invalidAmount() {
        String digits = String.valueOf(1 + random.nextInt(99_999));
        return switch (random.nextInt(16)) {
            case 0 -> "1E+" + (Integer.MAX_VALUE - random.nextInt(3));
            case 1 -> (1 + random.nextInt(99)) + "E+" + ((long) Integer.MAX_VALUE + random.nextInt(3) - 1);
            case 2 -> digits + "e" + random.nextInt(500);
            case 3 -> (random.nextBoolean() ? "+" : "-") + digits;
            case 4 -> " ".repeat(1 + random.nextInt(2)) + digits + " ";
            case 5 -> digits + ".";
            case 6 -> "." + digits;
            case 7 -> digits + "." + "1".repeat(3 + random.nextInt(5));
            case 8 -> "9".repeat(14 + random.nextInt(20));
            case 9 -> "0" + digits;
            case 10 -> otherDigits(1 + random.nextInt(5));
            case 11 -> List.of("NaN", "Infinity", "-Infinity", "0x1F", "1_000", "1,000.00", "", "1.2.3").get(
                    random.nextInt(8));
            case 12 -> random.nextBoolean() ? "0" : "0.00";
            case 13 -> digits + "\\u0000";
            case 14 -> "١٢.٥";
            default -> "1e-" + (Integer.MAX_VALUE - random.nextInt(2));
        };
    }

    private String otherDigits(int len) {
        int zero = DIGIT_ZEROS[random.nextInt(DIGIT_ZEROS.length)];
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) {
            s.appendCodePoint(zero + (i == 0 ? 1 + random.nextInt(9) : random.nextInt(10)));
        }
        return s.toString();
    }

    private void texts(int n) {
        int[] refused = {0x00, 0x07, 0x0A, 0x0D, 0x1B, 0x1F, 0x7F, 0x85, 0x9B, 0x202A, 0x202B, 0x202C, 0x202D,
            0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029, 0xFFFE, 0xFFFF, 0xFDD0,
            0xD800, 0xDBFF, 0xDC00, 0xDFFF};
        int[] invisible = {0x200B, 0xFEFF, 0x2060, 0x00A0, 0x3000, 0x200D, 0x00AD, 0x20, 0x2003, 0x180E};
        while (count("texts") < n) {
            switch (random.nextInt(4)) {
                case 0 -> {
                    int cp = refused[random.nextInt(refused.length)];
                    String name = escaped(visibleText(1 + random.nextInt(20)), cp, random);
                    add("texts", String.format("refused U+%04X", cp), post("/customers", JSON,
                            utf8(customerBodyEscaped(name, "5"))), 400);
                }
                case 1 -> {
                    StringBuilder s = new StringBuilder();
                    for (int i = 0, len = 1 + random.nextInt(10); i < len; i++) {
                        s.append(String.format("\\u%04x", invisible[random.nextInt(invisible.length)]));
                    }
                    add("texts", "only invisible", post("/customers", JSON, utf8(customerBodyEscaped(s.toString(),
                            "5"))), 400);
                }
                case 2 -> add("texts", "over 200 code points", post("/customers", JSON,
                        utf8(customerBody(visibleText(201 + random.nextInt(200)), "5"))), 400);
                default -> add("texts", "valid", post("/customers", JSON,
                        utf8(customerBody(visibleText(1 + random.nextInt(200)), "5"))), 201);
            }
        }
    }

    /** Printable code points of several scripts, astral ones included; never white space at the ends. */
    private String visibleText(int codePoints) {
        int[][] ranges = {{'A', 'Z'}, {'a', 'z'}, {0x0410, 0x044F}, {0x4E00, 0x4FFF}, {0x1F600, 0x1F64F},
            {0x0627, 0x064A}, {0x00C0, 0x00FF}, {0x1D400, 0x1D433}};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int[] r = ranges[random.nextInt(ranges.length)];
            s.appendCodePoint(r[0] + random.nextInt(r[1] - r[0] + 1));
        }
        return s.toString();
    }

    /** {@code text} as a JSON string's content with {@code cp} inserted as a \\u escape somewhere. */
    private static String escaped(String text, int cp, Random random) {
        int at = text.offsetByCodePoints(0, random.nextInt(text.codePointCount(0, text.length()) + 1));
        return jsonContent(text.substring(0, at)) + String.format("\\u%04x", cp) + jsonContent(text.substring(at));
    }

    private void sizes(int n) {
        while (count("sizes") < n) {
            switch (random.nextInt(5)) {
                case 0 -> add("sizes", "body over 16 KiB", post("/customers", JSON, utf8(padded(17_000
                        + random.nextInt(200_000)))), 413);
                case 1 -> add("sizes", "body over 1 MiB", post("/customers", JSON, utf8(padded((1 << 20)
                        + 1 + random.nextInt(100_000)))), 413);
                case 2 -> {
                    StringBuilder s = new StringBuilder("{\"name\":\"Ann\",\"creditLimit\":\"1\"");
                    int fields = 2_000 + random.nextInt(5_000);
                    for (int i = 0; i < fields; i++) {
                        s.append(",\"f").append(i).append("\":").append(i);
                    }
                    add("sizes", fields + " fields", post("/customers", JSON, utf8(s.append('}').toString())), 413);
                }
                case 3 -> add("sizes", "name of 10k", post("/customers", JSON,
                        utf8(customerBody("a".repeat(1_000 + random.nextInt(10_000)), "1"))), 400);
                default -> add("sizes", "under the limit", post("/customers", JSON, utf8(padded(1_000
                        + random.nextInt(14_000)))), 201);
            }
        }
    }

    private static String padded(int size) {
        String head = "{\"name\":\"Ann\",\"creditLimit\":\"1\",\"pad\":\"" + CANARY;
        return head + "x".repeat(Math.max(0, size - head.length() - 2)) + "\"}";
    }

    private void nesting(int n) {
        while (count("nesting") < n) {
            boolean deep = random.nextInt(5) != 0;
            int depth = deep ? 20 + random.nextInt(1_980) : 1 + random.nextInt(12);
            StringBuilder open = new StringBuilder();
            StringBuilder close = new StringBuilder();
            for (int i = 0; i < depth; i++) {
                boolean array = random.nextBoolean();
                open.append(array ? "[" : "{\"k\":");
                close.append(array ? ']' : '}');
            }
            String x = open + "1" + close.reverse();
            add("nesting", (deep ? "deep " : "shallow ") + depth, post("/customers", JSON,
                    utf8("{\"name\":\"Ann\",\"creditLimit\":\"1\",\"x\":" + x + "}")), deep ? 400 : 201);
        }
        add("nesting", "200k deep", post("/customers", JSON,
                utf8("{\"x\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}")), 413);
    }

    private void idsAndPaths(int n) {
        while (count("ids-and-paths") < n) {
            String id = switch (random.nextInt(7)) {
                case 0 -> percentBytes(1 + random.nextInt(20));
                case 1 -> List.of("..", "%2e%2e", "a%2Fb", "%2F", ".", "%00", "%C0%AE", "%E2%80%AE").get(random.nextInt(8));
                case 2 -> "a".repeat(129 + random.nextInt(3_000));
                case 3 -> UUID.randomUUID().toString();
                case 4 -> percentUtf8(visibleText(1 + random.nextInt(5)));
                case 5 -> "%" + (random.nextBoolean() ? "zz" : "4");
                default -> "mallory";
            };
            boolean malformed = id.startsWith("%zz") || id.equals("%4");
            String path = switch (random.nextInt(4)) {
                case 0 -> "/customers/" + id;
                case 1 -> "/orders/" + id;
                case 2 -> "/orders/" + id + "/events";
                default -> "/orders/" + id + "/cancel";
            };
            String method = path.endsWith("/cancel") ? "POST" : "GET";
            if (id.equals("mallory")) {
                // a real order, asked for by another principal
                path = path.replace("mallory", path.startsWith("/customers") ? customerId : orderId);
                add("ids-and-paths", "another principal " + method + " " + path.replaceAll("[0-9a-f-]{36}", "{id}"),
                        RawHttp.request(method, path, Map.of("X-Local-Principal", "mallory"), null), 404);
                continue;
            }
            add("ids-and-paths", method + " " + (path.length() > 60 ? path.substring(0, 60) + "..." : path),
                    RawHttp.request(method, path, Map.of(), null), malformed ? 400 : 404);
        }
        add("ids-and-paths", "path over 8 KiB", RawHttp.request("GET", "/customers/" + "a".repeat(9_000), Map.of(),
                null), 414);
        for (String p : List.of("/orders//events", "//customers", "/customers/", "/orders/x/y/z", "/", "/nothing")) {
            add("ids-and-paths", p, RawHttp.request("GET", p, Map.of(), null), 404);
        }
        for (String p : List.of("*", "orders", "http://evil/orders")) {
            add("ids-and-paths", "target " + p, RawHttp.request("GET", p, Map.of(), null), 400);
        }
    }

    private String percentBytes(int len) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) {
            s.append(String.format("%%%02X", random.nextInt(256)));
        }
        return s.toString();
    }

    private static String percentUtf8(String text) {
        StringBuilder s = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s.append(String.format("%%%02X", b & 0xff));
        }
        return s.toString();
    }

    private void methods(int n) {
        String[] methods = {"DELETE", "PUT", "PATCH", "OPTIONS", "TRACE", "FOO", "PROPFIND", "CONNECT", "M".repeat(40)};
        record Path(String path, String allow) {
        }
        List<Path> paths = List.of(new Path("/customers", "POST"), new Path("/customers/" + customerId, "GET"),
                new Path("/orders", "POST"), new Path("/orders/" + orderId, "GET"),
                new Path("/orders/" + orderId + "/events", "GET"), new Path("/orders/" + orderId + "/cancel", "POST"));
        while (count("methods") < n) {
            Path p = paths.get(random.nextInt(paths.size()));
            int pick = random.nextInt(methods.length + 2);
            if (pick == methods.length) {
                String wrong = p.allow().equals("GET") ? "POST" : "GET";
                add("methods", wrong + " on " + p.allow() + " route", RawHttp.request(wrong, p.path(),
                        wrong.equals("POST") ? JSON : Map.of(), wrong.equals("POST") ? utf8("{}") : null), 405);
            } else if (pick == methods.length + 1) {
                // no route serves HEAD: a 405 whose problem has no body, as HEAD answers have none
                cases.add(new Case("methods", "HEAD", RawHttp.request("HEAD", p.path(), Map.of(), null),
                        Set.of(405), true));
            } else {
                add("methods", methods[pick].substring(0, Math.min(8, methods[pick].length())), RawHttp.request(
                        methods[pick], p.path(), Map.of(), null), 405);
            }
        }
        add("methods", "not a token", RawHttp.request("GE(T", "/customers", Map.of(), null), 400);
    }

    private void contentTypes(int n) {
        List<String> refused = List.of("image/png", "text/plain", "application/xml", "application/json; charset=latin1",
                "application/jsonx", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/problem+json", "text/json", "*/*", "json", "application/json, text/plain");
        while (count("content-types") < n) {
            int pick = random.nextInt(refused.size() + 3);
            byte[] body = utf8(customerBody("Ann", "1"));
            if (pick < refused.size()) {
                add("content-types", refused.get(pick), post("/customers", Map.of("Content-Type", refused.get(pick)),
                        body), 415);
            } else if (pick == refused.size()) {
                add("content-types", "none", post("/customers", Map.of(), body), 415);
            } else if (pick == refused.size() + 1) {
                String junk = randomAscii(1 + random.nextInt(30)).replace(";", "");
                add("content-types", "junk", post("/customers", Map.of("Content-Type", junk), body), 415);
            } else {
                String ok = List.of("application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                        "application/json;charset=\"UTF-8\"").get(random.nextInt(4));
                add("content-types", ok, post("/customers", Map.of("Content-Type", ok), body), 201);
            }
        }
    }

    private void headers(int n) {
        String get = "/customers/" + customerId;
        while (count("headers") < n) {
            switch (random.nextInt(9)) {
                case 0 -> add("headers", "long correlation id", RawHttp.request("GET", get,
                        Map.of("X-Correlation-Id", "c".repeat(129 + random.nextInt(1_000))), null), 400);
                case 1 -> add("headers", "non-ASCII correlation id", RawHttp.request("GET", get,
                        Map.of("X-Correlation-Id", "caf\u00e9-" + CANARY), null), 400);
                case 2 -> add("headers", "control in a value", raw("GET " + get + " HTTP/1.1\r\nX-Fuzz: a\u0001"
                        + CANARY + "\r\n\r\n"), 400);
                case 3 -> add("headers", "no colon", raw("GET " + get + " HTTP/1.1\r\nX-Fuzz " + CANARY
                        + "\r\n\r\n"), 400);
                case 4 -> add("headers", "folded", raw("GET " + get + " HTTP/1.1\r\nX-Fuzz: a\r\n  " + CANARY
                        + "\r\n\r\n"), 400);
                case 5 -> add("headers", "section over 16 KiB", RawHttp.request("GET", get,
                        Map.of("X-Fuzz", CANARY + "h".repeat(17_000 + random.nextInt(50_000))), null), 431);
                case 6 -> {
                    Map<String, String> many = new LinkedHashMap<>();
                    for (int i = 0; i < 101 + random.nextInt(200); i++) {
                        many.put("X-F" + i, "1");
                    }
                    add("headers", "too many fields", RawHttp.request("GET", get, many, null), 431);
                }
                case 7 -> add("headers", "bad local principal", RawHttp.request("GET", get, Map.of("X-Local-Principal",
                        random.nextBoolean() ? "p".repeat(129) : "p\u00e9"), null), 400);
                default -> add("headers", "harmless extra headers", RawHttp.request("GET", get,
                        Map.of("X-Fuzz-" + random.nextInt(100), CANARY + randomAscii(20)), null), 200);
            }
        }
    }

    private void framing(int n) {
        String body = customerBody("Ann", "1");
        add("framing", "Content-Length larger than the body", raw("POST /customers HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (body.length() + 10) + "\r\n\r\n" + body), 408);
        add("framing", "headers that stop coming", raw("GET /customers/" + customerId + " HTTP/1.1\r\nX-A: 1\r\n"),
                408);
        while (count("framing") < n) {
            switch (random.nextInt(10)) {
                case 0 -> add("framing", "Content-Length smaller than the body", raw("POST /customers HTTP/1.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + random.nextInt(body.length() - 1)
                        + "\r\n\r\n" + body), 400);
                case 1 -> add("framing", "Content-Length not a number", raw("POST /customers HTTP/1.1\r\n"
                        + "Content-Length: " + List.of("x", "-1", "1.0", "0x10", "1 2", "+5").get(random.nextInt(6))
                        + "\r\n\r\n" + body), 400);
                case 2 -> add("framing", "two Content-Lengths", raw("POST /customers HTTP/1.1\r\nContent-Length: "
                        + body.length() + "\r\nContent-Length: 1\r\n\r\n" + body), 400);
                case 3 -> add("framing", "huge Content-Length", raw("POST /customers HTTP/1.1\r\nContent-Length: "
                        + (2_000_000 + random.nextInt(1_000_000_000)) + "\r\n\r\n" + body), 413);
                case 4 -> add("framing", "bad chunk size", raw("POST /customers HTTP/1.1\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + List.of("zz", "-1", "123456789", "", "1 1", "0x5").get(random.nextInt(6)) + "\r\n" + body
                        + "\r\n0\r\n\r\n"), 400);
                case 5 -> add("framing", "chunked and Content-Length", raw("POST /customers HTTP/1.1\r\n"
                        + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"), 400);
                case 6 -> add("framing", "unknown transfer coding", raw("POST /customers HTTP/1.1\r\n"
                        + "Transfer-Encoding: " + List.of("gzip", "chunked, gzip", "identity").get(random.nextInt(3))
                        + "\r\n\r\n"), 400);
                case 7 -> {
                    StringBuilder chunked = new StringBuilder();
                    for (int at = 0; at < body.length(); ) {
                        int size = Math.min(body.length() - at, 1 + random.nextInt(12));
                        chunked.append(Integer.toHexString(size)).append("\r\n")
                                .append(body, at, at + size).append("\r\n");
                        at += size;
                    }
                    add("framing", "valid chunked body", raw("POST /customers HTTP/1.1\r\n"
                            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
                            + "0\r\n\r\n"), 201);
                }
                case 8 -> add("framing", "bad request line", raw(List.of("GET /customers HTTP/1.1 extra",
                        "GET /customers HTTP/2.0", "GET /customers HTTP/1.1x", "GET", "\u0000\u0000", "GET /\u0000 HTTP/1.1",
                        "GET /customers\tHTTP/1.1", "GET /customers/\u00e9 HTTP/1.1").get(random.nextInt(8))
                        + "\r\n\r\n"), 400);
                default -> add("framing", "bare LF line ends", raw("GET /customers/" + customerId
                        + " HTTP/1.1\nHost: x\n\n"), 200);
            }
        }
    }

    private void query(int n) {
        String order = "/orders/" + orderId;
        String list = "/customers/" + customerId + "/orders";
        while (count("query") < n) {
            switch (random.nextInt(10)) {
                case 0, 1 -> {
                    String v = List.of("%2B1", "+1", "-1", "0", "1.0", "1e0", "0x1", "%D9%A1", "%EF%BC%91", "",
                            "1&version=2", "9".repeat(20 + random.nextInt(10)), "%201", "01", "1%00", "one")
                            .get(random.nextInt(16));
                    add("query", "version=" + v, RawHttp.request("GET", order + "?version=" + v, Map.of(), null), 400);
                }
                case 2 -> {
                    String v = List.of("yesterday", "1700000000", "2026-13-01T00:00:00Z", "%00", "2026-01-01",
                            "%D9%A2%D9%A0%D9%A2%D9%A6-01-01T00:00:00Z", "2026-01-01T00:00:00Z%0A", "")
                            .get(random.nextInt(8));
                    add("query", "asOf=" + v, RawHttp.request("GET", order + "?asOf=" + v, Map.of(), null), 400);
                }
                case 3 -> add("query", "version and asOf", RawHttp.request("GET", order
                        + "?version=1&asOf=2026-01-01T00:00:00Z", Map.of(), null), 400);
                case 4 -> {
                    int v = 1 + random.nextInt(3);
                    add("query", "version=" + v, RawHttp.request("GET", order + "?version=" + v, Map.of(), null),
                            v <= 2 ? 200 : 404);
                }
                case 5 -> {
                    String v = List.of("0", "101", "%2B5", "-1", "05", "1e2", "", "abc", "%D9%A3", "25&limit=26",
                            "9".repeat(12 + random.nextInt(10)), "%00").get(random.nextInt(12));
                    add("query", "list limit=" + v, RawHttp.request("GET", (random.nextBoolean() ? list + "?"
                            : "/orders?state=APPROVED&") + "limit=" + v, Map.of(), null), 400);
                }
                case 6 -> {
                    String v = List.of("NOPE", "approved", "", "%00", "APPROVED%20", "APPROVED,REJECTED",
                            percentBytes(4)).get(random.nextInt(7));
                    add("query", "list state=" + v, RawHttp.request("GET", (random.nextBoolean() ? list
                            : "/orders") + "?state=" + v, Map.of(), null), 400);
                }
                case 7 -> {
                    String v = List.of(percentBytes(1 + random.nextInt(40)), "A".repeat(1 + random.nextInt(200)),
                            "x".repeat(2_049 + random.nextInt(100)), "", "a,b", percentUtf8(visibleText(8)))
                            .get(random.nextInt(6));
                    add("query", "list cursor", RawHttp.request("GET", (random.nextBoolean() ? list + "?"
                            : "/orders?state=APPROVAL_PENDING&") + "cursor=" + v, Map.of(), null), 400);
                }
                case 8 -> add("query", "list", RawHttp.request("GET", random.nextBoolean() ? list + "?limit=1"
                        : "/orders?state=APPROVAL_PENDING", Map.of(), null), 200);
                default -> add("query", "unknown parameter", RawHttp.request("GET", order + "?x" + random.nextInt(9)
                        + "=" + percentBytes(3), Map.of(), null), 200);
            }
        }
    }

    private void idempotencyKeys(int n) {
        while (count("idempotency-keys") < n) {
            switch (random.nextInt(4)) {
                case 0 -> {
                    String key = List.of("", "k".repeat(256 + random.nextInt(500)), "caf\u00e9", "a b",
                            "k\u007f").get(random.nextInt(5));
                    add("idempotency-keys", "malformed key", post("/customers", with("Idempotency-Key", key),
                            utf8(customerBody("Ann", "1"))), 400);
                }
                case 1 -> {
                    String key = CANARY + "-" + UUID.randomUUID();
                    add("idempotency-keys", "first create", post("/customers", with("Idempotency-Key", key),
                            utf8(customerBody("Kim", "7"))), 201);
                    add("idempotency-keys", "retry", post("/customers", with("Idempotency-Key", key),
                            utf8(customerBody("Kim", "7.00"))), 201);
                    add("idempotency-keys", "same key, other body", post("/customers", with("Idempotency-Key", key),
                            utf8(customerBody("Kim", "8"))), 422);
                }
                case 2 -> {
                    String key = UUID.randomUUID().toString();
                    add("idempotency-keys", "order create", post("/orders", with("Idempotency-Key", key),
                            utf8(orderBody(customerId, "1"))), 201);
                    add("idempotency-keys", "same key, other total", post("/orders", with("Idempotency-Key", key),
                            utf8(orderBody(customerId, "2"))), 422);
                    // the order the key created: known from the answer to its POST (the API derives its id)
                    add("idempotency-keys", "create key reused to cancel", RawHttp.request("POST", "/orders/"
                            + orderId + "/cancel", Map.of("Idempotency-Key", orderKey), null), 422);
                }
                default -> {
                    String key = UUID.randomUUID().toString();
                    for (String principal : List.of("alice", "bob")) {
                        Map<String, String> h = new LinkedHashMap<>(with("Idempotency-Key", key));
                        h.put("X-Local-Principal", principal);
                        add("idempotency-keys", "same key, " + principal, post("/customers", h,
                                utf8(customerBody("Pat", "3"))), 201);
                    }
                }
            }
        }
    }

    // ---- helpers ----

    private long count(String category) {
        return cases.stream().filter(c -> c.category().equals(category)).count();
    }

    private void add(String category, String label, byte[] bytes, int allowed) {
        cases.add(new Case(category, ascii(label), bytes, Set.of(allowed), false));
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(JSON);
        h.put(name, value);
        return h;
    }

    private static byte[] post(String path, Map<String, String> headers, byte[] body) {
        return RawHttp.request("POST", path, headers, body);
    }

    private static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private String randomAscii(int len) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) {
            s.append((char) ('!' + random.nextInt(94)));
        }
        return s.toString();
    }

    private static String customerBody(String name, String limit) {
        return "{\"name\":\"" + jsonContent(name) + "\",\"creditLimit\":\"" + jsonContent(limit) + "\",\"note\":\""
                + CANARY + "\"}";
    }

    private static String customerBodyEscaped(String escapedName, String limit) {
        return "{\"name\":\"" + escapedName + "\",\"creditLimit\":\"" + limit + "\",\"note\":\"" + CANARY + "\"}";
    }

    private static String orderBody(String customerId, String total) {
        return "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + jsonContent(total) + "\",\"note\":\""
                + CANARY + "\"}";
    }

    /** Escapes for a JSON string: quote, backslash and controls; a literal {@code \\u0000} in the input stays. */
    private static String jsonContent(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                out.append("\\\"");
            } else if (c == '\\' && !(s.startsWith("\\u", i))) {
                out.append("\\\\");
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A label safe for a test report: printable ASCII, short. */
    private static String ascii(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(40).forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f) {
                out.append((char) cp);
            } else {
                out.append(String.format("U+%04X", cp));
            }
        });
        return out.toString();
    }
}
