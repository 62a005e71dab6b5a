package dev.panamax.backend;

/** A backend cannot run here; the message says why and what to install or set. */
public final class BackendUnavailableException extends RuntimeException {
    /**
     * A backend that cannot run, without an underlying cause.
     *
     * @param message why, and what to install or set
     */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /**
     * A backend that cannot run because of {@code cause} (a library that failed to load, a driver error).
     *
     * @param message why, and what to install or set
     * @param cause   the failure behind it
     */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
