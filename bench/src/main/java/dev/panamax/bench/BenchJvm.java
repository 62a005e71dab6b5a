package dev.panamax.bench;

/**
 * The JVM flags every forked benchmark JVM needs, as compile-time constants so that
 * {@code @Fork(jvmArgsAppend = ...)} can use them. They mirror {@code panamax.jvm.flags} in the root pom:
 * the SIMD backend needs the Vector API module, the BLAS backend needs native access for its FFM downcalls.
 */
public final class BenchJvm {
    public static final String ADD_MODULES = "--add-modules";
    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** JMH 1.37 reads fields through sun.misc.Unsafe; without this, JDK 24+ prints a warning in every fork. */
    public static final String QUIET_UNSAFE = "--sun-misc-unsafe-memory-access=allow";

    private BenchJvm() {
    }
}
