package dev.panamax.bench;

import dev.panamax.text.ByteSearch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Exact byte-string search: the time to count every occurrence of a pattern in a text, which reads the whole
 * text; GB/s = {@code size} / time. Texts: English-like (words of a fixed vocabulary, seeded), DNA-like
 * (uniform ACGT) and uniform random bytes. The pattern of each length is the rarest of 64 candidates drawn
 * the way the text was (word sequences of the vocabulary, ACGT strings, random bytes), so it is absent or
 * rare where the alphabet allows (a 1-byte DNA pattern cannot be). {@code string} is
 * {@link String#indexOf(String, int)} on a Latin-1 String of the same bytes (a JDK intrinsic), the bar to clear.
 *
 * <p>Each (text, size) is one heap {@code byte[]}, as a caller's array would be; the fork sees one segment
 * class only (mixing heap and native segments in one JVM makes the JIT's code for both slower).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, "-Xmx2g"})
@State(Scope.Benchmark)
public class TextSearchBench {
    static final String[] VOCABULARY = ("the of and to in is was he for it with as his on be at by had are but from"
            + " or have an they which one you were her all she there would their we him been has when who will more"
            + " no if out so said what up its about into than them can only other new some could time these two may"
            + " then do first any my now such like our over man me even most made after also did many before must"
            + " through back years where much your way well down should because each just those people how too little"
            + " state good very make world still own see men work long get here between both life being under never day"
            + " same another know while last might us great old year off come since against go came right used take"
            + " three water morning country question number children").split(" ");

    @Param({"english", "dna", "random"})
    public String text;

    @Param({"1048576", "67108864"})
    public int size;

    @Param({"1", "2", "4", "8", "16", "32", "64"})
    public int length;

    @Param({"kmp", "bm", "horspool", "rk", "simd", "auto", "string"})
    public String algorithm;

    private byte[] bytes;
    private MemorySegment segment;
    private ByteSearch search;
    private String latin1;
    private String needle;

    @Setup
    public void setUp() {
        bytes = generate(text, size, new SplittableRandom(2026));
        segment = MemorySegment.ofArray(bytes);
        byte[] pattern = rarestPattern(bytes, text, length, new SplittableRandom(14));
        if (algorithm.equals("string")) {
            latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
            needle = new String(pattern, StandardCharsets.ISO_8859_1);
        } else {
            search = ByteSearch.of(algorithm, pattern);
        }
    }

    static byte[] generate(String kind, int size, SplittableRandom rng) {
        byte[] b = new byte[size];
        switch (kind) {
            case "english" -> {
                int i = 0;
                int wordsInLine = 0;
                while (i < size) {
                    byte[] w = VOCABULARY[rng.nextInt(VOCABULARY.length)].getBytes(StandardCharsets.US_ASCII);
                    for (int k = 0; k < w.length && i < size; k++) {
                        b[i++] = w[k];
                    }
                    if (i < size) {
                        b[i++] = (byte) (++wordsInLine % 12 == 0 ? '\n' : ' ');
                    }
                }
            }
            case "dna" -> {
                byte[] acgt = {'A', 'C', 'G', 'T'};
                for (int i = 0; i < size; i++) {
                    b[i] = acgt[rng.nextInt(4)];
                }
            }
            case "random" -> rng.nextBytes(b);
            default -> throw new IllegalArgumentException("text must be english, dna or random, got '" + kind + "'");
        }
        return b;
    }

    /** Of 64 candidates drawn like the text, the one with the fewest occurrences (the first 1 MB counted). */
    static byte[] rarestPattern(byte[] text, String kind, int length, SplittableRandom rng) {
        MemorySegment sample = MemorySegment.ofArray(text).asSlice(0, Math.min(text.length, 1 << 20));
        byte[] best = null;
        long bestCount = Long.MAX_VALUE;
        for (int c = 0; c < 64 && bestCount > 0; c++) {
            byte[] p = candidate(kind, length, rng);
            long n = ByteSearch.of("naive", p).count(sample);
            if (n < bestCount) {
                best = p;
                bestCount = n;
            }
        }
        return best;
    }

    static byte[] candidate(String kind, int length, SplittableRandom rng) {
        byte[] p = new byte[length];
        switch (kind) {
            case "english" -> {
                StringBuilder sb = new StringBuilder();
                while (sb.length() < length) {
                    sb.append(VOCABULARY[rng.nextInt(VOCABULARY.length)]).append(' ');
                }
                // a 1-byte pattern: a letter of the vocabulary (sb's first letter); longer: a prefix of the words
                byte[] s = sb.toString().getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(s, 0, p, 0, length);
            }
            case "dna" -> {
                byte[] acgt = {'A', 'C', 'G', 'T'};
                for (int i = 0; i < length; i++) {
                    p[i] = acgt[rng.nextInt(4)];
                }
            }
            default -> rng.nextBytes(p);
        }
        return p;
    }

    /** Occurrences, overlapping included: every algorithm reads the whole text. */
    @Benchmark
    public long count() {
        if (search != null) {
            return search.count(segment);
        }
        long n = 0;
        for (int at = latin1.indexOf(needle); at >= 0; at = latin1.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }
}
