package dev.panamax.cli;

import dev.panamax.cli.CliRun.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.panamax.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code panamax grep}: its counts, its output against GNU grep's, its exit codes and error lines. */
class GrepCommandTest {
    private static final Path GREP = Path.of("/usr/bin/grep");
    private static final String[] WORDS = {"the", "of", "and", "a", "to", "in", "is", "that", "it", "was", "for",
            "on", "are", "as", "with", "his", "they", "at", "be", "this", "from", "have", "or", "by", "one", "had"};

    @TempDir
    static Path tmp;
    static Path small;
    static Path english;
    static Path noFinalNewline;

    @BeforeAll
    static void writeFiles() throws IOException {
        small = tmp.resolve("small.txt");
        Files.writeString(small, "aaa\nbanana\nno\nnanana end");
        english = tmp.resolve("english.txt");
        Files.writeString(english, englishLike(new SplittableRandom(5), 200_000));
        noFinalNewline = tmp.resolve("last.txt");
        Files.writeString(noFinalNewline, "x\nthe end");
    }

    /** Words of a fixed vocabulary, lines of 1 to 15 words, some empty lines. */
    static String englishLike(SplittableRandom rng, int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 100);
        while (sb.length() < bytes) {
            int words = rng.nextInt(16);
            for (int w = 0; w < words; w++) {
                sb.append(w == 0 ? "" : " ").append(WORDS[rng.nextInt(WORDS.length)]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void countsOccurrencesLinesAndOffsets() {
        for (String algorithm : new String[] {"kmp", "bm", "horspool", "rk", "simd", "auto"}) {
            Result c = run("grep", "--count", "--algorithm", algorithm, "ana", small.toString());
            assertEquals(new Result(0, "4\n", ""), c, algorithm + " --count (overlapping: banana has ana twice)");
            Result l = run("grep", "--lines", "--algorithm", algorithm, "ana", small.toString());
            assertEquals(new Result(0, "2\n", ""), l, algorithm + " --lines");
            Result o = run("grep", "--offsets", "--algorithm", algorithm, "ana", small.toString());
            assertEquals(new Result(0, "5\n7\n15\n17\n", ""), o, algorithm + " --offsets");
        }
        assertEquals(new Result(0, "banana\nnanana end\n", ""), run("grep", "ana", small.toString()), "matching lines");
        assertEquals(new Result(1, "0\n", ""), run("grep", "--lines", "zebra", small.toString()), "no match: exit 1");
        assertEquals(new Result(0, "1\n", ""), run("grep", "--lines", "end", noFinalNewline.toString()), "last line without newline");
    }

    @Test
    void severalFilesArePrefixedWithTheirNames() {
        Result r = run("grep", "--lines", "ana", small.toString(), noFinalNewline.toString());
        assertEquals(new Result(0, small + ":2\n" + noFinalNewline + ":0\n", ""), r);
    }

    @Test
    void linesEqualGrepDashFDashC() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(GREP), "no " + GREP + " on this machine: nothing to compare with");
        List<String> patterns = new ArrayList<>(List.of("the", "a", "he", "the end", "was the", "zebra", "and a", " "));
        for (String p : patterns) {
            for (Path f : List.of(english, small, noFinalNewline)) {
                Process grep = new ProcessBuilder(GREP.toString(), "-F", "-c", p, f.toString()).redirectErrorStream(true).start();
                String expected = new String(grep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int grepCode = grep.waitFor();
                Result r = run("grep", "--lines", p, f.toString());
                assertEquals(expected, r.out(), "'" + p + "' in " + f.getFileName());
                assertEquals(grepCode, r.code(), "exit code for '" + p + "' in " + f.getFileName());
            }
        }
        // several files at once, one of them missing: grep's per-file lines, and exit 2
        Path missing = tmp.resolve("missing.txt");
        Process grep = new ProcessBuilder(GREP.toString(), "-F", "-c", "the", english.toString(), missing.toString(),
                noFinalNewline.toString()).start();
        String expected = new String(grep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, grep.waitFor());
        Result r = run("grep", "--lines", "the", english.toString(), missing.toString(), noFinalNewline.toString());
        assertEquals(expected, r.out());
        assertEquals(2, r.code());
    }

    @Test
    void missingFileGetsOneLineAndExit2AndTheOthersAreStillSearched() {
        Path missing = tmp.resolve("nope.txt");
        Result r = run("grep", "--count", "ana", missing.toString(), small.toString());
        assertEquals(2, r.code());
        assertEquals(small + ":4\n", r.out());
        assertEquals(List.of("panamax: grep: " + missing + ": no such file"), r.err().lines().toList());
        Result dir = run("grep", "--count", "ana", tmp.toString());
        assertEquals(2, dir.code());
        assertEquals(List.of("panamax: grep: " + tmp + ": is a directory"), dir.err().lines().toList());
    }

    @Test
    void unreadableFileIsNamed() throws IOException {
        Path locked = tmp.resolve("locked.txt");
        Files.writeString(locked, "ana");
        Assumptions.assumeTrue(locked.toFile().setReadable(false, false) && !Files.isReadable(locked),
                "running as a user who reads any file (root?): cannot make one unreadable");
        Result r = run("grep", "--count", "ana", locked.toString());
        assertEquals(2, r.code());
        assertEquals(List.of("panamax: grep: " + locked + ": permission denied"), r.err().lines().toList());
    }

    @Test
    void plainArgumentsAreReadWithoutPicocliAndEverythingElseGoesToIt() {
        String f = small.toString();
        for (String[] plain : new String[][] {{"--lines", "ana", f}, {"ana", f, "--count"}, {"--algorithm=kmp", "ana", f},
                {"--algorithm", "bm", "--offsets", "ana", f, f}, {"ana", f}}) {
            assertTrue(GrepCommand.parsePlain(plain) != null, String.join(" ", plain));
        }
        for (String[] other : new String[][] {{"--help"}, {"-h", "a", f}, {"-V"}, {"--count", "--count", "a", f},
                {"--bogus", "a", f}, {"a"}, {"@args", f}, {"--algorithm"}, {"", f}, {"--algorithm", "fast", "a", f},
                {"--count", "--lines", "a", f}, {"--count", "--", "ana", f}}) {
            assertEquals(null, GrepCommand.parsePlain(other), String.join(" ", other));
        }
        // the same search on both routes: with "--" the arguments are not plain, so picocli parses them
        assertEquals(run("grep", "--count", "--", "ana", f), run("grep", "--count", "ana", f));
        assertEquals(run("grep", "--lines", "--", "ana", f, f), run("grep", "--lines", "ana", f, f));
        assertEquals(run("grep", "--offsets", "--", "ana", f), run("grep", "--offsets", "ana", f));
        assertEquals(run("grep", "--", "ana", f), run("grep", "ana", f));
        // an option after the files reads as one before them
        assertEquals(run("grep", "--count", "ana", f), run("grep", "ana", f, "--count"));
        Result help = run("grep", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("Usage: panamax grep"), help.out());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertUsageError("PATTERN is empty", "grep", "", small.toString());
        assertUsageError("newline", "grep", "a\nb", small.toString());
        assertUsageError("--algorithm must be one of", "grep", "--algorithm", "fast", "a", small.toString());
        assertUsageError("exclude each other", "grep", "--count", "--lines", "a", small.toString());
        assertUsageError("FILE", "grep", "a");
    }

    private static void assertUsageError(String expected, String... args) {
        Result r = run(args);
        String first = r.err().lines().findFirst().orElse("");
        assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
        assertTrue(first.startsWith("panamax: ") && first.contains(expected), "first line was '" + first + "'");
        assertTrue(r.err().contains("Usage:"), "usage follows the error");
        assertEquals("", r.out());
    }
}
