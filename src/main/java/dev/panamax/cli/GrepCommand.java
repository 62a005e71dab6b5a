package dev.panamax.cli;

import dev.panamax.text.ByteSearch;
import dev.panamax.text.VectorByteScan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code panamax grep PATTERN FILE...}: a fixed-string search over memory-mapped files, with the
 * {@code dev.panamax.text} searches. Output and exit codes follow GNU {@code grep -F}: matching lines by
 * default, {@code FILE:} before each result when there are several files, exit 0 if something matched,
 * 1 if nothing did, 2 if a file could not be read (reported on one line each; the other files are still
 * searched) or the arguments are wrong.
 */
@Command(name = "grep", mixinStandardHelpOptions = true,
        description = "Search files for a fixed string (memory-mapped, Vector API search). Prints matching lines,"
                + " or with --count the occurrences, --lines the matching lines' number (as grep -c), --offsets"
                + " the byte offsets of every occurrence. Exit 0: a match, 1: none, 2: an error.")
final class GrepCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATTERN", description = "The bytes to find (the argument's UTF-8 encoding); not empty, no newline.")
    String pattern;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE", description = "Files to search.")
    List<Path> files;

    @Option(names = "--count", description = "Print the number of occurrences, overlapping ones included (aaa has aa twice).")
    boolean count;

    @Option(names = "--lines", description = "Print the number of lines that contain a match (what grep -c prints).")
    boolean lines;

    @Option(names = "--offsets", description = "Print the byte offset of every occurrence, overlapping ones included, one a line.")
    boolean offsets;

    @Option(names = "--algorithm", paramLabel = "NAME",
            description = "kmp, bm, horspool, rk, simd or auto. Default: ${DEFAULT-VALUE}")
    String algorithm = "auto";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() {
        CommandLine cl = commandSpec.commandLine();
        String problem = usageProblem();
        CliErrors.require(cl, problem == null, problem);
        return search(cl.getErr());
    }

    /** What is wrong with the options and parameters as given, or null. */
    private String usageProblem() {
        if (pattern.isEmpty()) {
            return "PATTERN is empty: an empty string matches every line; give at least one byte";
        }
        if (pattern.indexOf('\n') >= 0) {
            return "PATTERN contains a newline: lines are searched one by one, so it cannot match (grep would take it as"
                    + " several patterns)";
        }
        if ((count ? 1 : 0) + (lines ? 1 : 0) + (offsets ? 1 : 0) > 1) {
            return "--count, --lines and --offsets exclude each other; give one";
        }
        if (algorithm.equals("naive") || !ByteSearch.ALGORITHMS.contains(algorithm)) {
            return "--algorithm must be one of kmp, bm, horspool, rk, simd, auto; got '" + algorithm + "'";
        }
        return null;
    }

    /**
     * The command for arguments in the plain form (options among them, each at most once; a PATTERN and
     * FILEs), read without picocli, or null for anything else: help, version, an unknown or repeated option,
     * an {@code @file} argument, a usage error. Building picocli's model of a command by reflection costs more
     * than a small file's search, so Main takes this route first and leaves the rest, and every message and
     * usage text, to picocli.
     */
    static GrepCommand parsePlain(String[] args) {
        GrepCommand c = new GrepCommand();
        List<String> positional = new java.util.ArrayList<>();
        boolean algorithmGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("@")) {
                return null; // picocli reads an existing @file as more arguments
            } else if (!a.startsWith("-") || a.equals("-")) {
                positional.add(a);
            } else if (a.equals("--count") && !c.count) {
                c.count = true;
            } else if (a.equals("--lines") && !c.lines) {
                c.lines = true;
            } else if (a.equals("--offsets") && !c.offsets) {
                c.offsets = true;
            } else if (a.startsWith("--algorithm=") && !algorithmGiven) {
                c.algorithm = a.substring("--algorithm=".length());
                algorithmGiven = true;
            } else if (a.equals("--algorithm") && !algorithmGiven && i + 1 < args.length) {
                c.algorithm = args[++i];
                algorithmGiven = true;
            } else {
                return null;
            }
        }
        if (positional.size() < 2) {
            return null;
        }
        c.pattern = positional.get(0);
        c.files = new java.util.ArrayList<>();
        try {
            for (String f : positional.subList(1, positional.size())) {
                c.files.add(Path.of(f));
            }
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        return c.usageProblem() == null ? c : null;
    }

    /** Searches every file and prints as the options say; one line on {@code err} for each file that fails. */
    int search(java.io.PrintWriter err) {
        byte[] needle = pattern.getBytes(StandardCharsets.UTF_8);
        ByteSearch search = ByteSearch.of(algorithm, needle);
        boolean prefix = files.size() > 1;
        boolean matched = false;
        boolean failed = false;
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        for (Path file : files) {
            String name = prefix ? file + ":" : "";
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment text = map(file, arena);
                if (count) {
                    long n = search.count(text);
                    out.println(name + n);
                    matched |= n > 0;
                } else if (lines) {
                    long n = countLines(search, text);
                    out.println(name + n);
                    matched |= n > 0;
                } else if (offsets) {
                    long[] any = {0};
                    search.forEach(text, at -> {
                        out.print(name);
                        out.println(at);
                        any[0]++;
                    });
                    matched |= any[0] > 0;
                } else {
                    matched |= printLines(search, text, name, out);
                }
            } catch (IOException | RuntimeException e) {
                // a file that cannot be read is reported, and the others are still searched (as grep does)
                out.flush();
                err.println("panamax: grep: " + (e instanceof IOException io ? describe(file, io) : file + ": " + CliErrors.describe(e)));
                failed = true;
            }
        }
        out.flush();
        return failed ? 2 : matched ? 0 : 1;
    }

    private static String describe(Path file, IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return file + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return file + ": permission denied";
        }
        return file + ": " + CliErrors.describe(e);
    }

    /** The file's bytes, mapped read-only for the arena's lifetime (any size: offsets are long). */
    static MemorySegment map(Path file, Arena arena) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            // nothing to map in an empty file; NULL is a native segment like the mapped ones, so the search's
            // JIT profile keeps seeing one segment class (a heap segment among them made the scan 3x slower)
            return size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }

    private static final ByteSearch NEWLINE = new VectorByteScan((byte) '\n');

    /**
     * The number of lines that contain a match: after a match, the search resumes after the end of its line.
     * The pattern has no newline, so a match never spans two lines; a last line without a newline counts.
     */
    static long countLines(ByteSearch search, MemorySegment text) {
        long n = 0;
        long from = 0;
        long at;
        while ((at = search.indexOf(text, from)) >= 0) {
            n++;
            long end = NEWLINE.indexOf(text, at + search.patternLength());
            if (end < 0) {
                break;
            }
            from = end + 1;
        }
        return n;
    }

    /** Writes each line that contains a match once, as grep does; true if there was one. */
    private static boolean printLines(ByteSearch search, MemorySegment text, String name, OutputStream out) throws IOException {
        boolean any = false;
        long from = 0;
        long at;
        byte[] prefix = name.getBytes(StandardCharsets.UTF_8);
        while ((at = search.indexOf(text, from)) >= 0) {
            any = true;
            long start = at;
            while (start > from && text.get(ValueLayout.JAVA_BYTE, start - 1) != '\n') {
                start--;
            }
            long end = NEWLINE.indexOf(text, at + search.patternLength());
            long stop = end < 0 ? text.byteSize() : end;
            out.write(prefix);
            for (long pos = start; pos < stop; ) {
                int chunk = (int) Math.min(1 << 16, stop - pos);
                out.write(text.asSlice(pos, chunk).toArray(ValueLayout.JAVA_BYTE));
                pos += chunk;
            }
            out.write('\n');
            if (end < 0) {
                break;
            }
            from = end + 1;
        }
        return any;
    }
}
