package dev.panamax.data;

/**
 * Element types of the IDX format (the third byte of the magic number), as defined on
 * Yann LeCun's MNIST page. Every multi-byte element is stored big-endian.
 */
public enum IdxType {
    /** 0x08: unsigned byte, 0 to 255 (MNIST's pixels and labels). */
    UNSIGNED_BYTE(0x08, 1, true),
    /** 0x09: signed byte. */
    SIGNED_BYTE(0x09, 1, true),
    /** 0x0B: 16-bit signed integer. */
    SHORT(0x0B, 2, true),
    /** 0x0C: 32-bit signed integer. */
    INT(0x0C, 4, true),
    /** 0x0D: 32-bit IEEE float. */
    FLOAT(0x0D, 4, false),
    /** 0x0E: 64-bit IEEE double. */
    DOUBLE(0x0E, 8, false);

    private final int code;
    private final int byteSize;
    private final boolean integral;

    IdxType(int code, int byteSize, boolean integral) {
        this.code = code;
        this.byteSize = byteSize;
        this.integral = integral;
    }

    /**
     * The type byte written in the magic number.
     *
     * @return the code, e.g. 0x08
     */
    public int code() {
        return code;
    }

    /**
     * Bytes per element.
     *
     * @return 1, 2, 4 or 8
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * True for the integer types (usable as class labels).
     *
     * @return whether the elements are integers
     */
    public boolean integral() {
        return integral;
    }

    /**
     * The type for a magic-number type byte, or null when the byte names no IDX type.
     *
     * @param code the third byte of the magic number
     * @return the type, or null
     */
    public static IdxType fromCode(int code) {
        for (IdxType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * The name used in messages.
     *
     * @return e.g. "0x08 (unsigned byte)"
     */
    public String describe() {
        return String.format("0x%02X (%s)", code, name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }

    /**
     * The list of supported codes, for error messages.
     *
     * @return every type's {@link #describe()}, comma-separated
     */
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
