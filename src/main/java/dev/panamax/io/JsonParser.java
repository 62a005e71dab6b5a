package dev.panamax.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A strict JSON reader (RFC 8259) for the subset a safetensors header uses: objects, arrays, strings
 * with every escape, and integers. It reads UTF-8 bytes directly so that errors carry byte positions,
 * which map straight to file offsets.
 *
 * <p>It is a pull reader: the caller asks for the value it expects next ({@link #peek}, {@link #beginObject},
 * {@link #nextKey}, {@link #string}, ...) and keeps only what it needs, so no tree of the whole text is
 * built. A tree would let the text decide how much is allocated: a 100 MB header of empty objects
 * ({@code [{},{},...]}) becomes over 3 GB of maps, where a safetensors reader can refuse it at its first
 * value. {@link #validate} checks a whole text without building anything, so that a syntax error is
 * reported as such wherever it lies.
 *
 * <p>Rejected on purpose: fractions and exponents, the literals true/false/null, invalid UTF-8, raw
 * control characters in strings, nesting deeper than {@value #MAX_DEPTH}, and anything but whitespace
 * after the top-level value. Duplicate keys are for the caller to refuse ({@link #duplicateKey}), as
 * only it keeps the keys.
 */
final class JsonParser {
    /** Safetensors headers nest three levels; the limit only guards the stack against hostile input. */
    static final int MAX_DEPTH = 64;

    /** What the next value is, from its first byte. */
    enum Kind { OBJECT, ARRAY, STRING, INTEGER }

    private final byte[] text;
    private final int end;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** The text, and where decoded characters go a chunk at a time: checking a string allocates nothing. */
    private final ByteBuffer bytes;
    private final CharBuffer chunk = CharBuffer.allocate(1024);
    /** Whether the open container at each depth (1 = the outermost) has had a member yet. */
    private final boolean[] started = new boolean[MAX_DEPTH + 2];
    private int depth;
    private int pos;
    private int keyPosition;

    /** A reader of {@code text[0, length)}, positioned before its top-level value. */
    JsonParser(byte[] text, int length) {
        this.text = text;
        this.end = length;
        this.bytes = ByteBuffer.wrap(text, 0, length);
    }

    /** Checks that {@code text[0, length)} is exactly one JSON value surrounded by optional whitespace. */
    static void validate(byte[] text, int length) throws JsonParseException {
        JsonParser p = new JsonParser(text, length);
        p.skip();
        p.end();
    }

    /** The kind of the next value; an error when there is none (the end of the text, a ']' after a ','). */
    Kind peek() throws JsonParseException {
        skipWhitespace();
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        if (pos == end) {
            throw depth == 0 ? new JsonParseException("empty JSON text", 0)
                    : error("unexpected end of the JSON text, expected a value");
        }
        int c = text[pos];
        if (c == '{') {
            return Kind.OBJECT;
        }
        if (c == '[') {
            return Kind.ARRAY;
        }
        if (c == '"') {
            return Kind.STRING;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return Kind.INTEGER;
        }
        throw error("expected a value (object, array, string or integer), found " + describeCurrent());
    }

    /** Enters the object that is the next value; then {@link #nextKey} until it returns null. */
    void beginObject() throws JsonParseException {
        open(Kind.OBJECT);
    }

    /** Enters the array that is the next value; then {@link #hasNext} until it returns false. */
    void beginArray() throws JsonParseException {
        open(Kind.ARRAY);
    }

    /** The next key of the current object, positioned before its value; null (and the object left) at its end. */
    String nextKey() throws JsonParseException {
        if (!nextMember()) {
            return null;
        }
        String key = readString(true);
        colon(key);
        return key;
    }

    /** Whether the current array has another element (then read it); false, and the array left, at its end. */
    boolean hasNext() throws JsonParseException {
        skipWhitespace();
        if (!started[depth]) {
            started[depth] = true;
            return !close(']');
        }
        if (peekByte() == ',') {
            pos++;
            return true;
        }
        if (close(']')) {
            return false;
        }
        throw error("expected ',' or ']' in the array, found " + describeCurrent());
    }

    /** The next value, which must be a string. */
    String string() throws JsonParseException {
        require(Kind.STRING);
        return readString(true);
    }

    /** The next value, which must be an integer. */
    long integer() throws JsonParseException {
        require(Kind.INTEGER);
        return readInteger();
    }

    /** Reads past the next value, checking it whole but keeping nothing of it. */
    private void skip() throws JsonParseException {
        switch (peek()) {
            case OBJECT -> {
                beginObject();
                while (nextMember()) {
                    readString(false);
                    colon(null);
                    skip();
                }
            }
            case ARRAY -> {
                beginArray();
                while (hasNext()) {
                    skip();
                }
            }
            case STRING -> readString(false);
            case INTEGER -> readInteger();
        }
    }

    /** After the top-level value: nothing but whitespace may follow. */
    void end() throws JsonParseException {
        skipWhitespace();
        if (pos != end) {
            throw error("unexpected " + describeCurrent() + " after the end of the JSON value");
        }
    }

    /** The error for a key that the current object already had: the key returned last by {@link #nextKey}. */
    JsonParseException duplicateKey(String key) {
        return new JsonParseException("duplicate key \"" + key + "\"", keyPosition);
    }

    private void require(Kind kind) throws JsonParseException {
        Kind found = peek();
        if (found != kind) {
            throw error("expected " + kind.name().toLowerCase(java.util.Locale.ROOT) + ", found " + describeCurrent());
        }
    }

    private void open(Kind kind) throws JsonParseException {
        require(kind);
        pos++; // '{' or '['
        depth++;
        started[depth] = false;
    }

    /** Leaves the current container if {@code closer} is next. */
    private boolean close(char closer) {
        if (peekByte() != closer) {
            return false;
        }
        pos++;
        depth--;
        return true;
    }

    /** Moves to the next key of the current object (true), or past its '}' (false). */
    private boolean nextMember() throws JsonParseException {
        skipWhitespace();
        if (!started[depth]) {
            started[depth] = true;
            if (close('}')) {
                return false;
            }
        } else if (peekByte() == ',') {
            pos++;
            skipWhitespace();
        } else if (close('}')) {
            return false;
        } else {
            throw error("expected ',' or '}' in the object, found " + describeCurrent());
        }
        if (peekByte() != '"') {
            throw error("expected a string key in the object, found " + describeCurrent());
        }
        keyPosition = pos;
        return true;
    }

    /** The ':' after a key; {@code key} names it in the message (null: read it again from the text). */
    private void colon(String key) throws JsonParseException {
        skipWhitespace();
        if (peekByte() != ':') {
            int at = pos;
            pos = keyPosition;
            String name = key != null ? key : readString(true);
            pos = at;
            throw error("expected ':' after the object key \"" + name + "\", found " + describeCurrent());
        }
        pos++;
    }

    /**
     * Reads the string at {@code pos} (its opening quote), checking every byte; returns it when
     * {@code build}, else null. A string without escapes is copied once, straight from the text.
     */
    private String readString(boolean build) throws JsonParseException {
        int start = pos;
        boolean escaped = false;
        pos++; // opening quote
        int run = pos; // start of the current run of raw (unescaped) bytes
        while (true) {
            if (pos == end) {
                throw new JsonParseException("unterminated string", start);
            }
            int b = text[pos] & 0xff;
            if (b == '"') {
                decodeRun(run, pos, null);
                break;
            }
            if (b == '\\') {
                decodeRun(run, pos, null);
                escape(null);
                escaped = true;
                run = pos;
            } else if (b < 0x20) {
                throw error(String.format("raw control character 0x%02x in a string (must be escaped)", b));
            } else {
                pos++;
            }
        }
        int close = pos++;
        if (!build) {
            return null;
        }
        if (!escaped) {
            return new String(text, start + 1, close - start - 1, StandardCharsets.UTF_8);
        }
        // checked above: decoding again cannot fail; the string has at most one character per byte
        StringBuilder out = new StringBuilder(close - start - 1);
        int at = pos;
        pos = start + 1;
        run = pos;
        while (pos < close) {
            if (text[pos] == '\\') {
                decodeRun(run, pos, out);
                escape(out);
                run = pos;
            } else {
                pos++;
            }
        }
        decodeRun(run, close, out);
        pos = at;
        return out.toString();
    }

    /** The escape sequence at {@code pos}, appended to {@code out} unless it is null. */
    private void escape(StringBuilder out) throws JsonParseException {
        int at = pos;
        pos++; // backslash
        if (pos == end) {
            throw new JsonParseException("unterminated escape sequence", at);
        }
        int c = text[pos++];
        char decoded;
        switch (c) {
            case '"' -> decoded = '"';
            case '\\' -> decoded = '\\';
            case '/' -> decoded = '/';
            case 'b' -> decoded = '\b';
            case 'f' -> decoded = '\f';
            case 'n' -> decoded = '\n';
            case 'r' -> decoded = '\r';
            case 't' -> decoded = '\t';
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
                decoded = (char) code;
            }
            default -> throw new JsonParseException("invalid escape sequence \\" + (char) c, at);
        }
        if (out != null) {
            out.append(decoded);
        }
    }

    /** Decodes {@code text[from, to)} as UTF-8 a chunk at a time, into {@code out} unless it is null. */
    private void decodeRun(int from, int to, StringBuilder out) throws JsonParseException {
        if (from == to) {
            return;
        }
        bytes.limit(to).position(from);
        utf8.reset(); // UTF-8 decoding keeps no state between calls: there is nothing to flush at the end
        while (true) {
            chunk.clear();
            CoderResult r = utf8.decode(bytes, chunk, true);
            if (r.isError()) {
                throw new JsonParseException("invalid UTF-8 in a string", from);
            }
            if (out != null) {
                out.append(chunk.flip());
            }
            if (r.isUnderflow()) {
                return;
            }
        }
    }

    private long readInteger() throws JsonParseException {
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

    private int peekByte() {
        return pos < end ? text[pos] : -1;
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
