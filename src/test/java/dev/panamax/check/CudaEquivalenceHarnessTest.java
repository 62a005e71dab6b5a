package dev.panamax.check;

import dev.panamax.backend.Backend;
import dev.panamax.backend.DeferredBackend;
import dev.panamax.backend.blas.BlasBackend;
import dev.panamax.backend.blas.BlasLibrary;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU checks themselves, tested without a GPU: a correct backend whose GEMM accumulates in float
 * (OpenBLAS, like cuBLAS) passes all of them, so the tolerances are not too tight; a backend with a
 * plain multiply-add where the contract says fma fails, so the exact checks can fail.
 */
class CudaEquivalenceHarnessTest {

    @Test
    void aCorrectFloatAccumulatingBackendPassesEveryCheck() {
        try (Backend blas = new BlasBackend(BlasLibrary.load(), 1)) {
            // like the CUDA backend: GEMM from a float-accumulating BLAS, elementwise kernels computed in
            // double as the reference does (the simd backend's float column sums are not bit-exact)
            Backend scalar = new ScalarBackend();
            Backend cudaLike = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, (proxy, method, args) ->
                            method.invoke(method.getName().equals("gemm") ? blas : scalar, args));
            // the small shapes of every kind of check (the large ones take seconds on the scalar reference)
            List<CudaEquivalence.Check> checks = new CudaEquivalence(cudaLike).checks().stream()
                    .filter(c -> !c.name().contains("103x1025") && !c.name().contains("m=64 ") && !c.name().contains("m=207 "))
                    .toList();
            assertTrue(checks.size() > 40, "checks: " + checks.size());
            for (CudaEquivalence.Check check : checks) {
                check.run();
            }
            // the resident checks again on an asynchronous stand-in: they must wait before they read
            List<CudaEquivalence.Check> resident = new CudaEquivalence(new DeferredBackend(cudaLike)).checks().stream()
                    .filter(c -> c.name().startsWith("resident")).toList();
            assertTrue(resident.size() == 3, "resident checks: " + resident.size());
            for (CudaEquivalence.Check check : resident) {
                check.run();
            }
        }
    }

    @Test
    void anUnfusedAxpyIsCaught() {
        Backend reference = new ScalarBackend();
        Backend unfused = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("axpy")) {
                        float alpha = (float) args[0];
                        Tensor x = (Tensor) args[1];
                        Tensor y = (Tensor) args[2];
                        for (long i = 0; i < x.size(); i++) {
                            y.set(i, alpha * x.get(i) + y.get(i)); // two roundings: not the contract's fma
                        }
                        return null;
                    }
                    return method.invoke(reference, args);
                });
        CudaEquivalence.Check axpy = new CudaEquivalence(unfused).checks().stream()
                .filter(c -> c.name().equals("axpy+scale 103x1025")).findFirst().orElseThrow();
        var e = assertThrows(CudaEquivalence.CheckFailed.class, axpy::run);
        assertTrue(e.getMessage().contains("axpy y") && e.getMessage().contains("bit-exact"), e.getMessage());
    }
}
