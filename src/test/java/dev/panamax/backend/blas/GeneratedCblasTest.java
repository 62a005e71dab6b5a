package dev.panamax.backend.blas;

import dev.panamax.backend.blas.ffi.Cblas;
import dev.panamax.backend.blas.ffi.generated.cblas_functions;
import dev.panamax.backend.reference.ReferenceBlas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jextract bindings of {@code dev.panamax.backend.blas.ffi.generated} against the functions' real
 * signatures: each generated descriptor is called, through jextract's own downcall handle, on the real
 * libraries (the system OpenBLAS where installed, the bundled one always), and must compute what the
 * scalar reference computes. A descriptor with a wrong type or a missing or extra argument would read
 * its arguments from the wrong registers and give other numbers. Inputs are small integers, so every
 * result is exact and compared exactly; matrices and vectors sit in padded buffers whose gaps hold NaN,
 * so a wrong dimension, leading dimension or increment shows up as well. The other tests tie the
 * generated files to the header that names the functions and to the typed layer over them.
 */
class GeneratedCblasTest {

    static List<BlasLibrary> libraries() {
        return TestLibraries.all();
    }

    /** The library's own lookup: re-opening the loaded file by its path gives the same loaded object. */
    @SuppressWarnings("restricted")
    private static SymbolLookup lookup(BlasLibrary lib) {
        return SymbolLookup.libraryLookup(Path.of(lib.path()), Arena.global());
    }

    /** {@code count} small integers of both signs (-2 to 4, repeating), with NaN at every index in {@code gaps}. */
    private static float[] values(int count, int... gaps) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = i % 7 - 2;
        }
        for (int g : gaps) {
            v[g] = Float.NaN;
        }
        return v;
    }

    private static MemorySegment segment(Arena arena, float[] values) {
        return arena.allocateFrom(JAVA_FLOAT, values);
    }

    /**
     * Runs {@code call} on one native copy of {@code out} and {@code reference} on another: both must leave
     * the same floats, the gaps' NaN included.
     */
    private static void assertSameAsReference(Arena arena, String function, float[] out, Consumer<MemorySegment> call,
                                              Consumer<MemorySegment> reference) {
        MemorySegment got = segment(arena, out);
        call.accept(got);
        MemorySegment expected = segment(arena, out);
        reference.accept(expected);
        assertArrayEquals(expected.toArray(JAVA_FLOAT), got.toArray(JAVA_FLOAT), function);
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sgemmThroughTheGeneratedDescriptor(BlasLibrary lib) {
        MemorySegment sgemm = lookup(lib).findOrThrow("cblas_sgemm");
        try (Arena arena = Arena.ofConfined()) {
            // op(A) (2,4) stored transposed as (4,2) with lda 3; B (4,3) with ldb 5; C (2,3) with ldc 4
            int m = 2, n = 3, k = 4, lda = 3, ldb = 5, ldc = 4;
            MemorySegment a = segment(arena, values(k * lda, 2, 5, 8, 11));
            MemorySegment b = segment(arena, values(k * ldb, 3, 4, 8, 9, 13, 14, 18, 19));
            assertSameAsReference(arena, "cblas_sgemm", values(m * ldc, 3, 7),
                    c -> cblas_functions.cblas_sgemm.invoke(sgemm, Cblas.ROW_MAJOR, Cblas.TRANS, Cblas.NO_TRANS,
                            m, n, k, 2f, a, lda, b, ldb, -1f, c, ldc),
                    c -> ReferenceBlas.gemm(true, false, m, n, k, 2f, a, 0, lda, b, 0, ldb, -1f, c, 0, ldc));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sgemvThroughTheGeneratedDescriptor(BlasLibrary lib) {
        MemorySegment sgemv = lookup(lib).findOrThrow("cblas_sgemv");
        try (Arena arena = Arena.ofConfined()) {
            // A (3,2) with lda 3, x (2) with incX 2, y (3) with incY 3
            int m = 3, n = 2, lda = 3;
            MemorySegment a = segment(arena, values(m * lda, 2, 5, 8));
            MemorySegment x = segment(arena, values(3, 1));
            assertSameAsReference(arena, "cblas_sgemv", values(7, 1, 2, 4, 5),
                    y -> cblas_functions.cblas_sgemv.invoke(sgemv, Cblas.ROW_MAJOR, Cblas.NO_TRANS, m, n, 3f, a, lda,
                            x, 2, 0.5f, y, 3),
                    y -> ReferenceBlas.gemv(false, m, n, 3f, a, 0, lda, x, 0, 2, 0.5f, y, 0, 3));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void saxpySscalSdotSnrm2ThroughTheGeneratedDescriptors(BlasLibrary lib) {
        SymbolLookup blas = lookup(lib);
        try (Arena arena = Arena.ofConfined()) {
            float[] x = values(5, 1, 3);  // 3 elements at increment 2
            float[] y = values(9, 1, 2, 4, 5, 7, 8); // 3 elements at increment 3
            MemorySegment xIn = segment(arena, x);
            MemorySegment yIn = segment(arena, y);

            MemorySegment saxpy = blas.findOrThrow("cblas_saxpy");
            assertSameAsReference(arena, "cblas_saxpy", y,
                    out -> cblas_functions.cblas_saxpy.invoke(saxpy, 3, -2f, xIn, 2, out, 3),
                    out -> ReferenceBlas.axpy(3, -2f, xIn, 0, 2, out, 0, 3));
            MemorySegment sscal = blas.findOrThrow("cblas_sscal");
            assertSameAsReference(arena, "cblas_sscal", x,
                    out -> cblas_functions.cblas_sscal.invoke(sscal, 3, -1.5f, out, 2),
                    out -> ReferenceBlas.scal(3, -1.5f, out, 0, 2));
            assertEquals(ReferenceBlas.dot(3, xIn, 0, 2, yIn, 0, 3),
                    cblas_functions.cblas_sdot.invoke(blas.findOrThrow("cblas_sdot"), 3, xIn, 2, yIn, 3), "cblas_sdot");

            // 2, 3, 6 at increment 2: the norm is 7, exactly
            float[] v = {2, Float.NaN, 3, Float.NaN, 6};
            assertEquals(7f, cblas_functions.cblas_snrm2.invoke(blas.findOrThrow("cblas_snrm2"), 3, segment(arena, v), 2),
                    "cblas_snrm2");
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void openBlasExtensionsThroughTheGeneratedDescriptors(BlasLibrary lib) {
        SymbolLookup blas = lookup(lib);
        String config = cblas_functions.openblas_get_config.invoke(blas.findOrThrow("openblas_get_config")).getString(0);
        assertTrue(config.startsWith("OpenBLAS"), config);
        String core = cblas_functions.openblas_get_corename.invoke(blas.findOrThrow("openblas_get_corename")).getString(0);
        assertFalse(core.isBlank(), "core name");
        MemorySegment get = blas.findOrThrow("openblas_get_num_threads");
        MemorySegment set = blas.findOrThrow("openblas_set_num_threads");
        int before = cblas_functions.openblas_get_num_threads.invoke(get);
        try {
            cblas_functions.openblas_set_num_threads.invoke(set, 1);
            assertEquals(1, cblas_functions.openblas_get_num_threads.invoke(get));
        } finally {
            cblas_functions.openblas_set_num_threads.invoke(set, before);
        }
    }

    /** The generated struct's members, in order: the functions jextract was asked for. */
    private static List<String> generatedFunctions() {
        return cblas_functions.layout().memberLayouts().stream().map(l -> l.name().orElseThrow()).toList();
    }

    @Test
    void theGeneratedFunctionsAreTheHeadersAndThoseCblasBinds() throws IOException {
        List<String> bound = Stream.concat(Cblas.REQUIRED_SYMBOLS.stream(), Cblas.OPTIONAL_SYMBOLS.stream()).toList();
        assertEquals(bound, generatedFunctions(), "regenerate with scripts/jextract-bindings after changing the header");

        List<String> named = new ArrayList<>();
        Matcher m = Pattern.compile("__typeof__\\((\\w+)\\) \\*(\\w+);")
                .matcher(Files.readString(Path.of("native", "include", "panamax_cblas.h")));
        while (m.find()) {
            assertEquals(m.group(1), m.group(2), "each member is named after its function");
            named.add(m.group(1));
        }
        assertEquals(bound, named, "native/include/panamax_cblas.h");
    }

    /**
     * Each typed method of Cblas takes what the generated descriptor says, after its {@code heap} flag:
     * a header that changes a type (ILP64's 64-bit blasint, say) fails here by name, not as a
     * WrongMethodTypeException at the first call.
     */
    @Test
    void theTypedLayerTakesTheGeneratedSignatures() {
        record Typed(String method, FunctionDescriptor generated) {
        }
        List<Typed> typed = List.of(
                new Typed("sgemm", cblas_functions.cblas_sgemm.descriptor()),
                new Typed("sgemv", cblas_functions.cblas_sgemv.descriptor()),
                new Typed("saxpy", cblas_functions.cblas_saxpy.descriptor()),
                new Typed("sscal", cblas_functions.cblas_sscal.descriptor()),
                new Typed("sdot", cblas_functions.cblas_sdot.descriptor()),
                new Typed("snrm2", cblas_functions.cblas_snrm2.descriptor()));
        for (Typed t : typed) {
            MethodType header = t.generated().toMethodType();
            Method method = Stream.of(Cblas.class.getMethods())
                    .filter(mm -> mm.getName().equals(t.method()) && mm.getParameterCount() == header.parameterCount() + 1)
                    .findFirst().orElseThrow(() -> new AssertionError("Cblas." + t.method() + "(boolean heap, "
                            + header.parameterList() + ") is missing"));
            assertEquals(header.insertParameterTypes(0, boolean.class),
                    MethodType.methodType(method.getReturnType(), method.getParameterTypes()), "Cblas." + t.method());
        }
        // The values the CBLAS standard fixes (BLAS Technical Forum, annex B), as cblas.h gives them
        assertEquals(List.of(101, 111, 112), List.of(Cblas.ROW_MAJOR, Cblas.NO_TRANS, Cblas.TRANS));
    }
}
