package dev.panamax.data;

/**
 * Element types of the IDX format (the third byte of the magic number), as defined on
 * Yann LeCun's MNIST page. Every multi-byte element is stored big-endian.
 */
public enum IdxType {
    UNSIGNED_BYTE(0x08, 1, true),
    SIGNED_BYTE(0x09, 1, true),
    SHORT(0x0B, 2, true),
    INT(0x0C, 4, true),
    FLOAT(0x0D, 4, false),
    DOUBLE(0x0E, 8, false);

    private final int code;
    private final int byteSize;
    private final boolean integral;

    IdxType(int code, int byteSize, boolean integral) {
        this.code = code;
        this.byteSize = byteSize;
        this.integral = integral;
    }

    /** The type byte written in the magic number. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the integer types (usable as class labels). */
    public boolean integral() {
        return integral;
    }

    /** The type for a magic-number type byte, or null when the byte names no IDX type. */
    public static IdxType fromCode(int code) {
        for (IdxType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** "0x08 (unsigned byte)" style name used in messages. */
    public String describe() {
        return String.format("0x%02X (%s)", code, name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }

    /** The list of supported codes, for error messages. */
    public static String supportedCodes() {
        StringBuilder sb = new StringBuilder();
        for (IdxType t : values()) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(t.describe());
        }
        return sb.toString();
    }
}
