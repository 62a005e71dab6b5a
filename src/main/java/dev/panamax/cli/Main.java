package dev.panamax.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code panamax} command line: train, eval, info, bench, grep. */
@Command(name = "panamax", mixinStandardHelpOptions = true, version = "panamax 0.1.0",
        description = "Fast numerics on the JVM: train and benchmark an MLP with Vector API, OpenBLAS or CUDA kernels.",
        subcommands = {TrainCommand.class, EvalCommand.class, InfoCommand.class, BenchCommand.class, GrepCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        try {
            if (args.length > 0 && args[0].equals("grep")) {
                String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
                GrepCommand plain = GrepCommand.parsePlain(rest);
                if (plain != null) {
                    // picocli's model of the commands, built by reflection, costs more than a small file's search;
                    // stderr in UTF-8, as picocli writes it
                    return runPlain(plain);
                }
                CommandLine cl = commandLine(new GrepCommand());
                cl.setCommandName("panamax grep");
                return cl.execute(rest);
            }
            return commandLine(new Main()).execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands Errors through; this one has a cause the user can act on
            // tensors live off the Java heap, so -Xmx does not govern them: say which limit applies
            System.err.println("panamax: out of memory (" + e.getMessage() + "): the model, batch or data set is too large;"
                    + " use smaller --hidden / --batch-size, or a machine with more memory (tensors are off-heap: their"
                    + " limit is the machine's memory, not -Xmx)");
            return 1;
        }
    }

    private static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler(new CliErrors());
        cl.setParameterExceptionHandler(new CliErrors());
        return cl;
    }

    /** A grep read by {@link GrepCommand#parsePlain}, with what CliErrors does for a failure outside its files. */
    private static int runPlain(GrepCommand grep) {
        java.io.PrintWriter err = new java.io.PrintWriter(
                new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true);
        try {
            return grep.search(err);
        } catch (RuntimeException e) {
            return CliErrors.report(e, err);
        } finally {
            err.flush();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
