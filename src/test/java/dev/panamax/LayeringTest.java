package dev.panamax;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data flows down (DESIGN.md, README): the library's code in one layer refers only to layers below it.
 * Every reference to a {@code dev.panamax} package in the main sources' code (imports and qualified names,
 * comments aside) is checked against the layer order below; a layer of equal rank is a sibling and off
 * limits too.
 */
class LayeringTest {
    /** Rank of each top-level package: a package may use only packages of lower rank (and itself). */
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("tensor", 0), Map.entry("text", 0),
            Map.entry("backend", 1), Map.entry("io", 1),
            Map.entry("autograd", 2), Map.entry("data", 2),
            Map.entry("nn", 3),
            Map.entry("optim", 4),
            Map.entry("train", 5),
            Map.entry("cli", 6), Map.entry("check", 6));
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.panamax\\.([a-z]+)\\b");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Path MAIN = Path.of("src", "main", "java", "dev", "panamax");

    @Test
    void noLayerRefersToOneAboveItOrBesideIt() throws IOException {
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> sources = Files.walk(MAIN)) {
            for (Path file : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                String layer = MAIN.relativize(file).getName(0).toString();
                if (layer.endsWith(".java")) {
                    continue; // none today; a file directly in dev/panamax would belong to no layer
                }
                Integer rank = RANK.get(layer);
                assertTrue(rank != null, "package " + layer + " has no rank in this test: add it where it belongs");
                files++;
                String code = COMMENTS.matcher(Files.readString(file)).replaceAll("");
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String target = m.group(1);
                    Integer targetRank = RANK.get(target);
                    if (!target.equals(layer) && (targetRank == null || targetRank >= rank)) {
                        violations.add(MAIN.relativize(file) + " (" + layer + ") refers to " + target);
                    }
                }
            }
        }
        assertTrue(files > 100, "found only " + files + " sources under " + MAIN.toAbsolutePath());
        assertEquals(List.of(), violations.stream().distinct().toList());
    }
}
