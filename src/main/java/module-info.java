/**
 * Panamax: fast float32 numerics on the JVM. The exported packages are the API: {@code backend} (the
 * kernel contract, {@link dev.panamax.backend.Backends}, the checked {@link dev.panamax.backend.Compute}
 * facade and the BLAS-style {@link dev.panamax.backend.FloatBlas}), {@code tensor}, {@code autograd},
 * {@code nn}, {@code optim}, {@code train}, {@code data}, {@code io} and {@code text} (exact byte-string search). The backends themselves (simd,
 * blas, scalar, cuda), their FFI bindings and the check programs stay inside.
 *
 * <p>On the module path, {@code --enable-native-access=dev.panamax} is all the native access it needs
 * (its FFM calls are its own); the Vector API module is required, so it resolves without
 * {@code --add-modules}. On the class path nothing changes: {@code --add-modules jdk.incubator.vector
 * --enable-native-access=ALL-UNNAMED}, as the scripts pass.
 */
module dev.panamax {
    requires jdk.incubator.vector;
    requires jdk.management;   // HotSpotDiagnosticMXBean: the JIT's UseAVX, for the register file
    requires java.net.http;    // data-set downloads
    requires java.desktop;     // the training chart (java.awt.image, javax.imageio)
    requires info.picocli;     // the command line

    exports dev.panamax.backend;
    exports dev.panamax.tensor;
    exports dev.panamax.autograd;
    exports dev.panamax.nn;
    exports dev.panamax.optim;
    exports dev.panamax.train;
    exports dev.panamax.data;
    exports dev.panamax.io;
    exports dev.panamax.text;

    opens dev.panamax.cli to info.picocli; // picocli reads the commands' annotated fields reflectively
}
