package dev.panamax.backend;

/**
 * A {@link FloatBlas} call refused before anything was read or written: it names the routine and the
 * argument, as BLAS's {@code xerbla} does, and says what was expected.
 */
public final class BlasArgumentException extends IllegalArgumentException {
    /** The routine that refused the call. */
    private final String routine;
    /** The argument at fault, by its BLAS name. */
    private final String argument;

    BlasArgumentException(String routine, String argument, String message) {
        super(routine + ": " + message);
        this.routine = routine;
        this.argument = argument;
    }

    /**
     * The call refused.
     *
     * @return sgemm, sgemv, sdot, saxpy, sscal or snrm2
     */
    public String routine() {
        return routine;
    }

    /**
     * The argument at fault, by its BLAS name.
     *
     * @return the argument's name: lda, incX, C...
     */
    public String argument() {
        return argument;
    }
}
