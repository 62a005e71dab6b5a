package dev.panamax.backend.ffi;

import java.util.List;

/** A library lacks functions a binding requires: it is not the library it was taken for, or too old. */
public final class MissingSymbolsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> missing;

    public MissingSymbolsException(List<String> missing) {
        super("missing " + String.join(", ", missing));
        this.missing = List.copyOf(missing);
    }

    public List<String> missing() {
        return missing;
    }
}
