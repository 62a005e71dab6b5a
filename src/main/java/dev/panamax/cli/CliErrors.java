package dev.panamax.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns failures into one line on stderr instead of a stack trace: bad arguments get the line and
 * the usage (exit 2); a problem at run time (bad file, unavailable backend) gets the line (exit 1).
 * {@code -Dpanamax.debug=true} prints the stack trace too.
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
        if (ex instanceof IllegalArgumentException) {
            cl.getErr().println("panamax: " + ex.getMessage());
            cl.usage(cl.getErr());
            return 2;
        }
        cl.getErr().println("panamax: " + describe(ex));
        if (Boolean.getBoolean("panamax.debug")) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }

    private static String describe(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        String msg = t.getMessage();
        if (t instanceof IOException && (msg == null || msg.isBlank())) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + msg;
        }
        return msg == null ? t.toString() : msg;
    }
}
