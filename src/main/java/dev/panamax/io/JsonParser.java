package dev.panamax.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259) for the subset a safetensors header uses: objects, arrays,
 * strings with every escape, and integers. It reads UTF-8 bytes directly so that errors carry
 * byte positions, which map straight to file offsets.
 *
 * <p>Values come back as {@code Map<String, Object>} (insertion-ordered), {@code List<Object>},
 * {@code String} and {@code Long}. Rejected on purpose: fractions and exponents, the literals
 * true/false/null, duplicate object keys (they would silently shadow a tensor), invalid UTF-8,
 * raw control characters in strings, nesting deeper than {@value #MAX_DEPTH}, and anything but
 * whitespace after the top-level value.
 */
final class JsonParser {
    /** Safetensors headers nest three levels; the limit only guards the stack against hostile input. */
    static final int MAX_DEPTH = 64;

    private final byte[] text;
    private final int end;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int pos;

    private JsonParser(byte[] text, int length) {
        this.text = text;
        this.end = length;
    }

    /** Parses {@code text[0, length)} as exactly one JSON value surrounded by optional whitespace. */
    static Object parse(byte[] text, int length) throws JsonParseException {
        JsonParser p = new JsonParser(text, length);
        p.skipWhitespace();
        if (p.pos == p.end) {
            throw new JsonParseException("empty JSON text", 0);
        }
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != p.end) {
            throw p.error("unexpected " + p.describeCurrent() + " after the end of the JSON value");
        }
        return value;
    }

    private Object value(int depth) throws JsonParseException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        if (pos == end) {
            throw error("unexpected end of the JSON text, expected a value");
        }
        int c = text[pos];
        if (c == '{') {
            return object(depth);
        }
        if (c == '[') {
            return array(depth);
        }
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return integer();
        }
        throw error("expected a value (object, array, string or integer), found " + describeCurrent());
    }

    private Map<String, Object> object(int depth) throws JsonParseException {
        pos++; // '{'
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key in the object, found " + describeCurrent());
            }
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':', "':' after the object key \"" + key + "\"");
            skipWhitespace();
            Object v = value(depth + 1);
            if (members.putIfAbsent(key, v) != null) {
                throw new JsonParseException("duplicate key \"" + key + "\"", keyPos);
            }
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == '}') {
                pos++;
                return members;
            } else {
                throw error("expected ',' or '}' in the object, found " + describeCurrent());
            }
        }
    }

    private List<Object> array(int depth) throws JsonParseException {
        pos++; // '['
        List<Object> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return items;
        }
        while (true) {
            skipWhitespace();
            items.add(value(depth + 1));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == ']') {
                pos++;
                return items;
            } else {
                throw error("expected ',' or ']' in the array, found " + describeCurrent());
            }
        }
    }

    private String string() throws JsonParseException {
        int start = pos;
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        int run = pos; // start of the current run of raw (unescaped) bytes
        while (true) {
            if (pos == end) {
                throw new JsonParseException("unterminated string", start);
            }
            int b = text[pos] & 0xff;
            if (b == '"') {
                decodeRun(run, pos, out);
                pos++;
                return out.toString();
            }
            if (b == '\\') {
                decodeRun(run, pos, out);
                escape(out);
                run = pos;
            } else if (b < 0x20) {
                throw error(String.format("raw control character 0x%02x in a string (must be escaped)", b));
            } else {
                pos++;
            }
        }
    }

    private void escape(StringBuilder out) throws JsonParseException {
        int at = pos;
        pos++; // backslash
        if (pos == end) {
            throw new JsonParseException("unterminated escape sequence", at);
        }
        int c = text[pos++];
        switch (c) {
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case '/' -> out.append('/');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
                if (end - pos < 4) {
                    throw new JsonParseException("truncated \\u escape", at);
                }
                int code = 0;
                for (int i = 0; i < 4; i++) {
                    int digit = Character.digit(text[pos + i], 16);
                    if (digit < 0) {
                        throw new JsonParseException("\\u escape needs 4 hex digits", at);
                    }
                    code = code * 16 + digit;
                }
                pos += 4;
                out.append((char) code);
            }
            default -> throw new JsonParseException("invalid escape sequence \\" + (char) c, at);
        }
    }

    private void decodeRun(int from, int to, StringBuilder out) throws JsonParseException {
        if (from == to) {
            return;
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(text, from, to - from));
            out.append(chars);
        } catch (CharacterCodingException e) {
            throw new JsonParseException("invalid UTF-8 in a string", from);
        }
    }

    private Long integer() throws JsonParseException {
        int start = pos;
        boolean negative = text[pos] == '-';
        if (negative) {
            pos++;
        }
        if (pos == end || text[pos] < '0' || text[pos] > '9') {
            throw error("expected a digit after '-'");
        }
        if (text[pos] == '0' && pos + 1 < end && text[pos + 1] >= '0' && text[pos + 1] <= '9') {
            throw error("leading zeros are not allowed in a number");
        }
        long magnitude = 0;
        while (pos < end && text[pos] >= '0' && text[pos] <= '9') {
            int digit = text[pos] - '0';
            // accumulate negatively so that Long.MIN_VALUE still fits
            if (magnitude < (Long.MIN_VALUE + digit) / 10) {
                throw new JsonParseException("integer out of the 64-bit range", start);
            }
            magnitude = magnitude * 10 - digit;
            pos++;
        }
        if (pos < end && (text[pos] == '.' || text[pos] == 'e' || text[pos] == 'E')) {
            throw new JsonParseException("only integers are allowed here, found a fraction or exponent", start);
        }
        if (!negative && magnitude == Long.MIN_VALUE) {
            throw new JsonParseException("integer out of the 64-bit range", start);
        }
        return negative ? magnitude : -magnitude;
    }

    private void skipWhitespace() {
        while (pos < end) {
            int c = text[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private int peek() {
        return pos < end ? text[pos] : -1;
    }

    private void expect(char c, String what) throws JsonParseException {
        if (peek() != c) {
            throw error("expected " + what + ", found " + describeCurrent());
        }
        pos++;
    }

    private String describeCurrent() {
        if (pos >= end) {
            return "end of text";
        }
        int b = text[pos] & 0xff;
        return b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b);
    }

    private JsonParseException error(String message) {
        return new JsonParseException(message, pos);
    }
}
