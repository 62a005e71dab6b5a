package dev.panamax.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * Turns failures into one line on stderr instead of a stack trace. A bad argument (picocli's own
 * parse errors, and the commands' checks of option values, which throw {@link CommandLine.ParameterException})
 * gets the line and the usage, exit 2; a problem met while running (a malformed file, an unavailable
 * backend, a loss that became NaN) gets the line only, exit 1. {@code -Dpanamax.debug=true} adds the stack trace.
 */
final class CliErrors implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        cl.getErr().println("panamax: " + ex.getMessage());
        cl.usage(cl.getErr());
        return 2;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (ex instanceof CommandLine.ParameterException pe) {
            return handleParseException(pe, parseResult.originalArgs().toArray(new String[0]));
        }
        return report(ex, cl.getErr());
    }

    /** A problem met while running: its line on {@code err} (the stack trace too with -Dpanamax.debug=true); exit 1. */
    static int report(Exception ex, java.io.PrintWriter err) {
        err.println("panamax: " + describe(ex));
        if (Boolean.getBoolean("panamax.debug")) {
            ex.printStackTrace(err);
        }
        return 1;
    }

    static String describe(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        String msg = t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + msg;
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + msg;
        }
        if (t instanceof IOException && (msg == null || msg.isBlank())) {
            return t.getClass().getSimpleName();
        }
        return msg == null ? t.toString() : msg;
    }

    /**
     * Runs an option check or parse; an IllegalArgumentException it throws becomes a usage error
     * naming the option.
     */
    static <T> T option(CommandLine cl, String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, option + ": " + e.getMessage());
        }
    }

    /** Fails with a usage error unless {@code ok}. */
    static void require(CommandLine cl, boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(cl, message);
        }
    }
}
