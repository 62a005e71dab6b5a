package dev.panamax.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that breaks the format. The message names the file first, then the field,
 * tensor or byte offset at fault and what was expected.
 */
public final class SafetensorsFormatException extends IOException {
    private final transient Path file;
    private final String problem;

    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
