package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module's API documentation builds without a warning: the JDK's javadoc, run in this JVM over
 * {@code src/main/java} as {@code module dev.panamax} (which documents the exported packages only), reports
 * nothing but javac's notice that the module uses the incubating Vector API (which every build of this module
 * gets, and which only a hidden javac option silences). The options are those of the command line
 * {@code javadoc -d DIR --module-path PICOCLI_JAR --module-source-path dev.panamax=src/main/java --module
 * dev.panamax}; picocli, which the module requires, is taken from this test's own class path, wherever that
 * put it. A failure lists the first problems with their file and line.
 */
class JavadocTest {
    /** javac's "using incubating module(s)": a notice about {@code requires jdk.incubator.vector}, not the docs. */
    private static final String INCUBATING = "compiler.warn.incubating.modules";
    /** How many problems a failure lists; the count says how many there are in all. */
    private static final int LISTED = 30;

    @Test
    void theExportedPackagesAreDocumentedWithoutWarnings(@TempDir Path out) throws Exception {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assertNotNull(javadoc, "no documentation tool: run the tests on a JDK, not a JRE");
        Path sources = Path.of("src", "main", "java");
        assertTrue(Files.isRegularFile(sources.resolve("module-info.java")), "no module-info.java in "
                + sources.toAbsolutePath());

        List<Diagnostic<? extends JavaFileObject>> problems = new ArrayList<>();
        DiagnosticListener<JavaFileObject> listener = d -> {
            if (d.getKind() != Diagnostic.Kind.NOTE && d.getKind() != Diagnostic.Kind.OTHER
                    && !INCUBATING.equals(d.getCode())) {
                problems.add(d);
            }
        };
        StringWriter log = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javadoc.getStandardFileManager(listener, Locale.ROOT, null)) {
            List<String> options = List.of("-d", out.toString(), "-quiet", "-Xmaxwarns", "10000", "-Xmaxerrs", "10000",
                    "--module-path", jarOf(picocli.CommandLine.class).toString(),
                    "--module-source-path", "dev.panamax=" + sources,
                    "--module", "dev.panamax");
            ok = javadoc.getTask(log, files, listener, null, options, null).call();
        }

        StringBuilder listed = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : problems.subList(0, Math.min(LISTED, problems.size()))) {
            String where = d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ";
            listed.append("\n  ").append(where).append(d.getKind().toString().toLowerCase(Locale.ROOT)).append(": ")
                    .append(d.getMessage(Locale.ROOT));
        }
        if (problems.size() > LISTED) {
            listed.append("\n  ... and ").append(problems.size() - LISTED).append(" more");
        }
        assertTrue(ok && problems.isEmpty(), "javadoc on module dev.panamax " + (ok ? "succeeded" : "failed")
                + " and reported " + problems.size() + " problem(s) in the exported packages' documentation:" + listed
                + (ok ? "" : "\n" + log));
    }

    /** The jar (or classes folder) that {@code type} was loaded from. */
    private static Path jarOf(Class<?> type) throws URISyntaxException {
        var source = type.getProtectionDomain().getCodeSource();
        assertNotNull(source, type.getName() + " has no code source: it must come from a jar on the class path");
        return Path.of(source.getLocation().toURI());
    }
}
