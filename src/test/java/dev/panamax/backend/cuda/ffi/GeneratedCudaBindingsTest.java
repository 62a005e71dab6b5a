package dev.panamax.backend.cuda.ffi;

import dev.panamax.backend.cuda.ffi.generated.cublas.cublas_functions;
import dev.panamax.backend.cuda.ffi.generated.driver.cuda_functions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The typed CUDA layers against jextract's output: they bind exactly the functions the generated
 * structs name (so a regeneration that drops or renames one fails here, not on a GPU), and the one
 * descriptor adapted by hand, cublasSgemm_v2's, differs from the generated one only where the header has
 * device pointers. (That each handle is made with the generated descriptor is checked in the fake
 * driver's JVM, FakeDriverCudaBackendTest; that the cuBLAS ones reach the real library, in RealCublasTest.)
 */
class GeneratedCudaBindingsTest {

    private static List<String> members(GroupLayout struct) {
        return struct.memberLayouts().stream().map(m -> m.name().orElseThrow()).toList();
    }

    @Test
    void theDriverBindsWhatTheGeneratedStructNames() {
        // cuda.h 13 names cuEventElapsedTime_v2; CudaDriver requires the original, which every driver since
        // CUDA 11 exports, and binds _v2 where the driver has it (same signature)
        List<String> required = CudaDriver.REQUIRED_SYMBOLS.stream()
                .map(name -> name.equals("cuEventElapsedTime") ? "cuEventElapsedTime_v2" : name).toList();
        assertEquals(members(cuda_functions.layout()), required);
    }

    @Test
    void cublasBindsWhatTheGeneratedStructNames() {
        assertEquals(members(cublas_functions.layout()), Cublas.REQUIRED_SYMBOLS);
    }

    @Test
    void sgemmDiffersFromTheGeneratedDescriptorOnlyInItsDevicePointers() {
        FunctionDescriptor generated = cublas_functions.cublasSgemm_v2.descriptor();
        List<MemoryLayout> ours = Cublas.SGEMM.argumentLayouts();
        List<MemoryLayout> theirs = generated.argumentLayouts();
        assertEquals(14, theirs.size(), "cublasSgemm_v2's parameters: " + generated);
        assertEquals(generated.returnLayout(), Cublas.SGEMM.returnLayout());
        for (int i = 0; i < theirs.size(); i++) {
            if (i == 7 || i == 9 || i == 12) {
                assertInstanceOf(AddressLayout.class, theirs.get(i), "A, B and C are pointers in cublas_v2.h: " + i);
                assertEquals(ValueLayout.JAVA_LONG, ours.get(i), "passed as a device address: " + i);
            } else {
                assertEquals(theirs.get(i), ours.get(i), "argument " + i + " as generated");
            }
        }
    }

    @Test
    void adaptingAnArgumentThatIsNoPointerFails() {
        FunctionDescriptor generated = cublas_functions.cublasSgemm_v2.descriptor();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Cublas.deviceAddressesAt(generated, 1));
        assertTrue(e.getMessage().contains("argument 1"), e.getMessage());
    }
}
