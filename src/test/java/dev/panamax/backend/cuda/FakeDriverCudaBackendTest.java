package dev.panamax.backend.cuda;

import dev.panamax.check.GpuBench;
import dev.panamax.check.GpuCheck;
import dev.panamax.check.CudaEquivalence;
import dev.panamax.TestCompiler;
import dev.panamax.backend.Activation;
import dev.panamax.backend.BackendSelfCheck;
import dev.panamax.backend.cuda.ffi.CudaDriver;
import dev.panamax.backend.cuda.ffi.generated.driver.cuda_functions;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Compute;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.backend.ffi.Dlfcn;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.FashionMnistSlice;
import dev.panamax.io.GoldenDir;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.EpochMetrics;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;
import dev.panamax.train.TrainingSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The cuda backend's Java side, run for real against {@code src/test/native/fake_cuda.cpp}: a CPU
 * stand-in for libcuda.so.1 and libcublas.so.13 whose memory is host memory, whose cuBLAS SGEMM
 * really multiplies, and whose kernels are Panamax's own {@code native/cuda/kernels.cu} compiled for
 * the CPU and called through their real declarations. What this checks without a GPU: every check of
 * the GPU suite (kernels against the scalar reference, bit for bit where the suite says so, so the
 * Java side's argument packing matches the kernels' signatures), the PyTorch golden MLP files, that a
 * training step waits once, reads back only its stats and launches what it should, that the
 * host-tensor path allocates no device memory in steady state, and that closing in any order (and
 * after a sticky error) frees every allocation, stream, module and context reference without
 * throwing from an arena's close. What it cannot check: the GPU's own arithmetic (warp reductions,
 * its exp and tanh), its speed, and real asynchrony (the fake completes every call at once; the
 * DeferredBackend tests cover ordering).
 *
 * <p>Runs in a JVM of its own (pom: fake-driver-tests): once loaded, the fake would answer for
 * libcuda.so.1 in every later test of the same JVM.
 */
@SuppressWarnings("restricted") // loading and calling the fake driver directly is the point
class FakeDriverCudaBackendTest {
    private static Path dir;
    private static MethodHandle count;
    private static MethodHandle failSynchronize;
    private static MethodHandle sgemmCount;
    private static MethodHandle setComputeCapability;
    private static MethodHandle sgemmDropLastStep;
    private CudaBackend backend;

    @BeforeAll
    static void buildTheFakeLibraries() throws IOException, InterruptedException {
        String compiler = TestCompiler.require("the fake CUDA driver");
        dir = Files.createTempDirectory("panamax-fake-cuda");
        Path library = dir.resolve("libcuda.so.1");
        List<String> flags = new ArrayList<>(List.of("-nostdlib", "-ffp-contract=off", "-fno-math-errno", "-fno-exceptions",
                "-fno-rtti"));
        // the C library's libm (exp, log, tanh, fmaf), found through a symbol so that no distribution's
        // folder layout is assumed; else the fake resolves them against the JVM's own libm
        Optional<String> libm = Dlfcn.fileOf(Linker.nativeLinker().defaultLookup().findOrThrow("cos"));
        libm.ifPresent(file -> flags.addAll(List.of("-x", "none", file)));
        TestCompiler.sharedLibrary(compiler, "fake_cuda.cpp", library, flags);
        Files.copy(library, dir.resolve("libcublas.so.13"), StandardCopyOption.REPLACE_EXISTING);
        Linker linker = Linker.nativeLinker();
        SymbolLookup driver = SymbolLookup.libraryLookup(library, Arena.global());
        count = linker.downcallHandle(driver.findOrThrow("fake_count"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        failSynchronize = linker.downcallHandle(driver.findOrThrow("fake_fail_synchronize"),
                FunctionDescriptor.ofVoid(JAVA_INT));
        SymbolLookup blas = SymbolLookup.libraryLookup(dir.resolve("libcublas.so.13"), Arena.global());
        sgemmCount = linker.downcallHandle(blas.findOrThrow("fake_count"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        setComputeCapability = linker.downcallHandle(driver.findOrThrow("fake_set_compute_capability"),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT));
        sgemmDropLastStep = linker.downcallHandle(blas.findOrThrow("fake_sgemm_drop_last_step"),
                FunctionDescriptor.ofVoid(JAVA_INT));
    }

    private static long count(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) count.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static long sgemms() {
        try (Arena a = Arena.ofConfined()) {
            return (long) sgemmCount.invokeExact(a.allocateFrom("sgemm"));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void failSynchronize(boolean on) {
        hook(failSynchronize, on ? 1 : 0);
    }

    private static void computeCapability(int major, int minor) {
        hook(setComputeCapability, major, minor);
    }

    private static void sgemmDropsLastStep(boolean on) {
        hook(sgemmDropLastStep, on ? 1 : 0);
    }

    // one of the fake's void test hooks, with its int arguments
    private static void hook(MethodHandle handle, Object... ints) {
        try {
            handle.invokeWithArguments(ints);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private CudaBackend open() {
        backend = new CudaBackend(List.of(dir), 0, true);
        return backend;
    }

    @AfterEach
    void everythingIsReleased() {
        failSynchronize(false);
        computeCapability(9, 0);
        sgemmDropsLastStep(false);
        if (backend != null) {
            try {
                backend.close();
            } catch (RuntimeException ignored) {
                // a test that made the fake fail already checked what close() reports
            }
        }
        assertEquals(0, count("live"), "device allocations still alive");
        assertEquals(0, count("context"), "primary context references still held");
        assertEquals(0, count("streams"), "streams not destroyed");
        assertEquals(0, count("modules"), "modules not unloaded");
    }

    @Test
    void loadsDescribesAndIsAsynchronousWithUnifiedMemory() {
        CudaBackend cuda = open();
        assertTrue(cuda.describe().contains("Fake GPU"), cuda.describe());
        assertTrue(cuda.describe().contains("unified memory"), cuda.describe());
        assertTrue(cuda.asynchronous());
        try (CudaBackend copying = new CudaBackend(List.of(dir), 0, false)) {
            assertFalse(copying.asynchronous());
            assertTrue(copying.describe().contains("copied per call"), copying.describe());
            try (Arena arena = Arena.ofConfined()) {
                Tensor t = copying.allocate(arena, 4);
                assertFalse(copying.isResident(t), "with unified memory off, allocate gives host tensors");
            }
        }
    }

    /** Every driver function is bound with the descriptor jextract generated for it from cuda.h. */
    @Test
    void theDriverIsBoundWithTheGeneratedDescriptors() throws ReflectiveOperationException {
        CudaDriver driver = CudaDriver.bind(SymbolLookup.libraryLookup(dir.resolve("libcuda.so.1"), Arena.global()));
        assertEquals(CudaDriver.REQUIRED_SYMBOLS.size(), driver.descriptors().size(), driver.descriptors().keySet().toString());
        for (Map.Entry<String, FunctionDescriptor> e : driver.descriptors().entrySet()) {
            String member = e.getKey().equals("cuEventElapsedTime") ? "cuEventElapsedTime_v2" : e.getKey();
            Class<?> generated = Class.forName(cuda_functions.class.getName() + "$" + member);
            assertEquals(generated.getMethod("descriptor").invoke(null), e.getValue(), e.getKey());
        }
    }

    /** What automatic selection runs before it trusts cuda: passes here, and fails once cuBLAS computes wrongly. */
    @Test
    void passesTheSelfCheckAndFailsItWhenTheGemmIsWrong() {
        CudaBackend cuda = open();
        assertDoesNotThrow(() -> BackendSelfCheck.verify(cuda));
        sgemmDropsLastStep(true);
        String message = assertThrows(BackendUnavailableException.class, () -> BackendSelfCheck.verify(cuda)).getMessage();
        assertTrue(message.startsWith("self-check failed: gemm"), message);
    }

    /** A GPU older than the PTX's target is refused by name before anything is set up on it. */
    @Test
    void aDeviceOlderThanTuringIsRefusedNamingItsArchitecture() {
        computeCapability(6, 1);
        long retained = count("retain");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, this::open);
        assertTrue(e.getMessage().contains("sm_61") && e.getMessage().contains("7.5"), e.getMessage());
        assertEquals(retained, count("retain"), "no context retained for a refused device");
        computeCapability(7, 5);
        assertTrue(open().describe().contains("sm_75"), "Turing itself loads: " + backend.describe());
    }

    /** Every check of the GPU suite (what GpuCheck runs on a GPU) passes with the emulated kernels. */
    @Test
    void everyCheckOfTheGpuSuitePasses() {
        List<CudaEquivalence.Check> checks = new CudaEquivalence(open()).checks();
        assertTrue(checks.size() > 60, "checks: " + checks.size());
        for (CudaEquivalence.Check check : checks) {
            try {
                check.run();
            } catch (RuntimeException e) {
                throw new AssertionError(check.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /** As GpuCheck finds and runs them: one check per golden MLP file, and a folder without any fails. */
    @Test
    void theGoldenMlpFilesPass(@TempDir Path empty) {
        List<CudaEquivalence.Check> checks = GpuCheck.goldenChecks(GoldenDir.path(), open());
        assertEquals(5, checks.size(), "golden MLP files: " + checks.stream().map(CudaEquivalence.Check::name).toList());
        for (CudaEquivalence.Check check : checks) {
            check.run();
        }
        List<CudaEquivalence.Check> none = GpuCheck.goldenChecks(empty, backend);
        assertEquals(1, none.size());
        RuntimeException e = assertThrows(RuntimeException.class, none.getFirst()::run);
        assertTrue(e.getMessage().contains("no mlp_"), e.getMessage());
    }

    @Test
    void residentGemmIsQueuedAndMatchesTheReference() {
        CudaBackend cuda = open();
        Random rnd = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, 9, 5);
            Tensor b = Tensor.allocate(arena, 7, 5);
            for (long i = 0; i < a.size(); i++) {
                a.set(i, (float) rnd.nextGaussian());
            }
            for (long i = 0; i < b.size(); i++) {
                b.set(i, (float) rnd.nextGaussian());
            }
            Tensor expected = Tensor.allocate(arena, 9, 7);
            new ScalarBackend().gemm(false, true, 9, 7, 5, 1f, a, b, 0f, expected);
            Tensor ra = cuda.allocate(arena, 9, 5);
            Tensor rb = cuda.allocate(arena, 7, 5);
            Tensor rc = cuda.allocate(arena, 9, 7);
            cuda.copy(a, ra);
            cuda.copy(b, rb);
            long syncs = count("sync");
            long downloads = count("dtoh");
            cuda.gemm(false, true, 9, 7, 5, 1f, ra, rb, 0f, rc);
            assertEquals(syncs, count("sync"), "a call on resident tensors does not wait");
            assertEquals(downloads, count("dtoh"), "nor copy anything back");
            cuda.synchronize();
            // the fake accumulates 5 products in float, the reference in double: |error| <= (k + 1) eps sum |a b|
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 7; j++) {
                    double bound = 0;
                    for (int p = 0; p < 5; p++) {
                        bound += Math.abs((double) a.get(i, p) * b.get(j, p));
                    }
                    bound *= 6 * 0x1p-24;
                    assertEquals(expected.get(i, j), rc.get(i, j), bound, "C[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void hostTensorsAllocateMirrorsOnceAndEachCallWaitsOnce() {
        CudaBackend cuda = open();
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, 16, 8).fill(1f);
            Tensor b = Tensor.allocate(arena, 8, 4).fill(2f);
            Tensor c = Tensor.allocate(arena, 16, 4);
            cuda.gemm(false, false, 16, 4, 8, 1f, a, b, 0f, c);
            long allocations = count("alloc");
            long syncs = count("sync");
            long gemms = sgemms();
            for (int i = 0; i < 5; i++) {
                cuda.gemm(false, false, 16, 4, 8, 1f, a, b, 0f, c);
            }
            assertEquals(allocations, count("alloc"), "mirrors are reused");
            assertEquals(syncs + 5, count("sync"), "one wait per call with a host output");
            assertEquals(gemms + 5, sgemms());
            assertEquals(16f, c.get(0), "the result is in host memory when the call returns");
        }
    }

    /** What a step costs in driver calls: the figures the GPU will see, whatever its speed. */
    @Test
    void aTrainingStepWaitsOnceAndReadsBackOnlyItsStats() {
        Compute compute = new Compute(open());
        int batch = 32;
        try (Arena arena = Arena.ofShared();
             Mlp mlp = Mlp.create(new int[] {784, 256, 10}, Activation.RELU, 1, compute);
             Optimizer opt = OptimizerSpec.parse("adam(lr=1e-3)").create(Parameter.of(mlp), compute);
             Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, opt, compute, 784, 10)) {
            Tensor x = Tensor.allocate(arena, batch, 784);
            Tensor labels = Tensor.allocate(arena, batch);
            for (int step = 0; step < 3; step++) { // the first records the graph
                trainer.trainStep(x, labels);
            }
            long[] before = snapshot();
            long waits = backend.synchronizations();
            trainer.trainStep(x, labels);
            long[] after = snapshot();
            assertEquals(1, backend.synchronizations() - waits, "waits per step");
            assertEquals(1, after[0] - before[0], "cuStreamSynchronize per step");
            assertEquals(1, after[1] - before[1], "device-to-host copies per step (the loss and correct count)");
            assertEquals(2, after[2] - before[2], "host-to-device copies per step (the batch and its labels)");
            assertEquals(0, after[3] - before[3], "device allocations per step");
            // forward: bias (fc1), relu, bias (fc2), cross-entropy + its mean = 5; backward: column sums (fc2, fc1)
            // and relu's backward = 3 (the loss gradient is a device copy, the seed a memset); Adam: one
            // launch per parameter tensor = 4; the correct count = 1
            assertEquals(13, after[4] - before[4], "kernel launches per step");
            long gemms = sgemms();
            trainer.trainStep(x, labels);
            assertEquals(5, sgemms() - gemms, "cuBLAS calls per step: 2 forward, dx and dW of fc2, dW of fc1");

            // the data set in backend memory: batches are copied device to device, nothing goes up
            Tensor residentX = compute.allocate(arena, batch, 784);
            Tensor residentLabels = compute.allocate(arena, batch);
            trainer.trainStep(residentX, residentLabels);
            before = snapshot();
            trainer.trainStep(residentX, residentLabels);
            after = snapshot();
            assertEquals(0, after[2] - before[2], "host-to-device copies per step with resident data");
            assertEquals(1, after[1] - before[1], "device-to-host copies per step with resident data");
        }
    }

    /**
     * The command line's training path on the cuda backend: epochs, evaluation, checkpoints and an exact
     * resume, on the repository's slice of real Fashion-MNIST (as EndToEndTrainingTest does on the CPU backends).
     */
    @Test
    void aTrainingSessionLearnsCheckpointsAndResumesExactly(@TempDir Path tmp) throws IOException {
        open().close(); // the sessions below open their own; this one only proves the fake loads
        backend = null;
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 32, 10},
                Activation.RELU, Loss.CROSS_ENTROPY);
        OptimizerSpec opt = OptimizerSpec.parse("sgd(lr=0.1, momentum=0.9)");
        try (DatasetPair slice = FashionMnistSlice.load()) {
            List<EpochMetrics> history;
            try (Compute c = new Compute(new CudaBackend(List.of(dir), 0, true));
                 TrainingSession s = new TrainingSession(spec, opt, c, slice,
                         new TrainingSession.Options(2, 100, 3, tmp.resolve("straight"), false))) {
                history = s.run(new TrainingSession.Listener() { });
            }
            assertTrue(history.getLast().testAccuracy() > 0.65, "test accuracy " + history.getLast().testAccuracy());
            try (Compute c = new Compute(new CudaBackend(List.of(dir), 0, true));
                 TrainingSession s = new TrainingSession(spec, opt, c, slice,
                         new TrainingSession.Options(1, 100, 3, tmp.resolve("resumed"), false))) {
                s.run(new TrainingSession.Listener() { });
            }
            try (Compute c = new Compute(new CudaBackend(List.of(dir), 0, true));
                 TrainingSession s = new TrainingSession(spec, opt, c, slice,
                         new TrainingSession.Options(2, 100, 3, tmp.resolve("resumed"), true))) {
                s.run(new TrainingSession.Listener() { });
            }
        }
        try (SafetensorsReader a = SafetensorsReader.open(
                     tmp.resolve("straight").resolve(TrainingSession.CHECKPOINT));
             SafetensorsReader b = SafetensorsReader.open(
                     tmp.resolve("resumed").resolve(TrainingSession.CHECKPOINT))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                assertArrayEquals(a.readFloats(name), b.readFloats(name), name + " after resume");
            }
        }
    }

    /** GpuBench end to end, small (its SGEMM tables and its training table), so the GPU run's last program is not its first run. */
    @Test
    void theGpuBenchmarkRunsAndPrintsBothTables() {
        CudaBackend cuda = open();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (CudaBackend copying = new CudaBackend(List.of(dir), 0, false);
             java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
            List<GpuBench.Shape> shapes = List.of(new GpuBench.Shape("small-nn", false, false, 40, 48, 36),
                    new GpuBench.Shape("small-nt", false, true, 20, 64, 30));
            GpuBench.run(cuda, copying, java.util.Map.of("small-nt", 12.5, "train-16", 777.0), shapes, new int[] {16}, 0.05, out);
        }
        String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("Fake GPU"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("small-nn") && l.trim().endsWith("-")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("small-nt") && l.trim().endsWith("12.5")), text);
        assertTrue(text.lines().anyMatch(l -> l.trim().startsWith("16 ") && l.trim().endsWith("777")), text);
        assertFalse(text.contains("NaN"), text);
    }

    /** sync, dtoh, htod, alloc + managed, launch. */
    private static long[] snapshot() {
        return new long[] {count("sync"), count("dtoh"), count("htod"), count("alloc") + count("managed"), count("launch")};
    }

    @Test
    void closingTheBackendFirstKeepsResidentTensorsReadableUntilTheirArenaCloses() {
        CudaBackend cuda = open();
        Arena arena = Arena.ofShared();
        Tensor t = cuda.allocate(arena, 1000);
        cuda.fill(t, 3f);
        cuda.close();
        assertEquals(1, count("context"), "the context stays while a resident tensor lives");
        cuda.synchronize(); // after close: nothing to wait for, and no exception
        assertEquals(3f, t.get(999), "still readable");
        arena.close();
        assertEquals(0, count("live"));
        assertEquals(0, count("context"), "the last free released the context");
    }

    @Test
    void aStickyErrorNeitherThrowsFromArenaCloseNorLeaks() {
        CudaBackend cuda = open();
        Arena arena = Arena.ofShared();
        cuda.allocate(arena, 64);
        cuda.allocate(arena, 64);
        failSynchronize(true);
        assertDoesNotThrow(arena::close, "arena cleanups must not throw");
        assertEquals(0, count("live"), "freed anyway");
        RuntimeException e = assertThrows(RuntimeException.class, cuda::synchronize);
        assertTrue(e.getMessage().contains("ILLEGAL_ADDRESS") || e.getMessage().contains("illegal"), e.getMessage());
        RuntimeException onClose = assertThrows(RuntimeException.class, cuda::close);
        assertTrue(onClose.getMessage().contains("cuStreamSynchronize"), onClose.getMessage());
        // everythingIsReleased() checks that nothing leaked despite the failures
    }
}
