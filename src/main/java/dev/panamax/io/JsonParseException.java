package dev.panamax.io;

/** Invalid JSON text: {@link #position()} is the byte index, within the parsed text, where it went wrong. */
final class JsonParseException extends Exception {
    private final int position;

    JsonParseException(String message, int position) {
        super(message);
        this.position = position;
    }

    int position() {
        return position;
    }
}
