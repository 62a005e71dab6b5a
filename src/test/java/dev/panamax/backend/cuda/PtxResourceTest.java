package dev.panamax.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PTX the jar carries: present, for compute_75 at the PTX ISA scripts/build-ptx stamps, with one
 * {@code .entry} for each kernel the backend looks up, each taking as many parameters as the backend
 * packs (a mismatch would only show on a GPU, as garbage or a launch error).
 */
class PtxResourceTest {
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");

    /** Parameter counts from native/cuda/kernels.cu, as CudaBackend packs them. */
    private static final Map<String, Integer> PARAMETERS = Map.ofEntries(
            Map.entry("bias_activation", 6), Map.entry("activation_backward", 6), Map.entry("axpy", 4),
            Map.entry("scale", 3), Map.entry("column_sums", 5), Map.entry("softmax_rows", 4),
            Map.entry("log_softmax_rows", 4), Map.entry("softmax_cross_entropy", 8), Map.entry("mean_of_rows", 3), Map.entry("count_correct", 5), Map.entry("sgd_step", 10),
            Map.entry("adagrad_step", 7), Map.entry("adadelta_step", 10), Map.entry("rmsprop_step", 12),
            Map.entry("adam_step", 15));

    private static Map<String, Integer> entries(String ptx) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            String params = m.group(2).strip();
            out.put(m.group(1), params.isEmpty() ? 0 : params.split(",").length);
        }
        return out;
    }

    @Test
    void everyKernelTheBackendLaunchesIsAnEntryWithItsParameterCount() {
        Map<String, Integer> entries = entries(CudaKernels.readPtx());
        assertEquals(new java.util.TreeSet<>(CudaKernels.NAMES), new java.util.TreeSet<>(entries.keySet()),
                "kernels in the PTX vs CudaKernels.NAMES");
        for (String name : CudaKernels.NAMES) {
            assertEquals(PARAMETERS.get(name), entries.get(name), "parameters of " + name);
            assertTrue(entries.get(name) <= CudaKernels.MAX_PARAMS, name + " has more parameters than the launch buffer");
        }
    }

    @Test
    void targetsTuringAndNewerAtTheStampedIsa() {
        String ptx = CudaKernels.readPtx();
        assertTrue(ptx.contains("\n.version 6.3\n"), "PTX ISA 6.3 (CUDA 10.0 drivers on), as scripts/build-ptx stamps it");
        assertTrue(ptx.contains("\n.target sm_" + CudaKernels.MIN_COMPUTE_CAPABILITY + "\n"),
                "the virtual architecture the backend checks devices against");
        assertEquals(75, CudaKernels.MIN_COMPUTE_CAPABILITY, "compute_75: the oldest nvcc 13 builds, so T4 / A100 / L4 load it");
        assertTrue(ptx.contains("\n.address_size 64\n"), "64-bit addresses (CUdeviceptr is 64-bit)");
    }

    @Test
    void floatArithmeticIsNeverContracted() {
        // -fmad=false plus _rn intrinsics: the only fused float ops are the explicit __fmaf_rn (fma.rn.f32)
        // (libdevice's double exp/tanh may use approximate ex2/rcp seeds internally; those are not our arithmetic)
        String ptx = CudaKernels.readPtx();
        Matcher contracted = Pattern.compile("\\bmad\\.[a-z.]*f32").matcher(ptx);
        assertTrue(!contracted.find(), "no mad.f32: " + (contracted.hitEnd() ? "" : contracted.group()));
        Matcher flushed = Pattern.compile("\\b(add|sub|mul|div|sqrt|fma)\\.[a-z.]*ftz[a-z.]*\\.f32").matcher(ptx);
        assertTrue(!flushed.find(), "no flush-to-zero float arithmetic: " + (flushed.hitEnd() ? "" : flushed.group()));
        assertTrue(ptx.contains("fma.rn.f32"), "the formulas' fma steps are there");
    }
}
