package dev.panamax.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that breaks the format. The message names the file first, then the field,
 * tensor or byte offset at fault and what was expected.
 */
public final class SafetensorsFormatException extends IOException {
    /** The file at fault (not serialised: Path is not serialisable). */
    private final transient Path file;
    /** The problem alone. */
    private final String problem;

    /**
     * A malformed file.
     *
     * @param file    the file at fault
     * @param problem the field, tensor or byte offset at fault and what was expected
     */
    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /**
     * The file at fault.
     *
     * @return the file (null after deserialisation)
     */
    public Path file() {
        return file;
    }

    /**
     * The problem alone, without the file name.
     *
     * @return the problem
     */
    public String problem() {
        return problem;
    }
}
