package dev.nosqles.runtime.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Percent-decoding of path segments and query components. */
final class Percent {
    private Percent() {
    }

    /** Decodes %XX; a '+' stays a '+' (it only means a space in query strings). */
    static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Decodes a query component, where '+' is a space. */
    static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
