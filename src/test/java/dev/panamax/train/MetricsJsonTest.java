package dev.panamax.train;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** metrics.jsonl stays JSON (RFC 8259: no NaN, no Infinity) whatever the values. */
class MetricsJsonTest {

    /** A strict reader of the JSON subset metrics lines use: objects, strings without escapes, numbers, null. */
    private static final class StrictJson {
        private final String text;
        private int at;

        private StrictJson(String text) {
            this.text = text;
        }

        static Map<String, Object> parse(String text) {
            StrictJson p = new StrictJson(text);
            Object v = p.value();
            if (p.at != text.length() || !(v instanceof Map)) {
                throw new IllegalArgumentException("not one JSON object: " + text);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return m;
        }

        private Object value() {
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                at++;
                while (text.charAt(at) != '}') {
                    String key = string();
                    expect(':');
                    m.put(key, value());
                    if (text.charAt(at) == ',') {
                        at++;
                    }
                }
                at++;
                return m;
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "-+.eE0123456789".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
                throw new IllegalArgumentException("not a JSON value at " + start + ": " + text);
            }
            return Double.parseDouble(number);
        }

        private String string() {
            expect('"');
            int end = text.indexOf('"', at);
            String s = text.substring(at, end);
            at = end + 1;
            return s;
        }

        private void expect(char c) {
            if (text.charAt(at) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + at + ": " + text);
            }
            at++;
        }
    }

    @Test
    void theStrictReaderRefusesWhatJsonDoesNotAllow() {
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"test_loss\":NaN}"));
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"test_loss\":Infinity}"));
    }

    @Test
    void finiteMetricsAreNumbers() {
        Map<String, Object> m = StrictJson.parse(new EpochMetrics(3, 0.25, 0.9, 0.5, 0.875, 1.5, 40000).toJson());
        assertEquals(3.0, m.get("epoch"));
        assertEquals(0.875, m.get("test_accuracy"));
        assertFalse(m.containsKey("non_finite"));
    }

    @Test
    void nonFiniteValuesAreNullAndNamed() {
        Map<String, Object> m = StrictJson.parse(
                new EpochMetrics(2, Double.NaN, 0.1, Double.POSITIVE_INFINITY, 0.1, 1.0, 100).toJson());
        assertNull(m.get("train_loss"));
        assertNull(m.get("test_loss"));
        assertEquals(Map.of("train_loss", "NaN", "test_loss", "Infinity"), m.get("non_finite"));
    }
}
