package dev.panamax.cli;

/**
 * Describes the Vector API species without linking to {@code jdk.incubator.vector} directly, so that
 * {@code info} still runs (and says what is missing) when the module was not added.
 */
final class VectorInfo {
    private VectorInfo() {
    }

    /** The simd backend's kernel choice ({@code SimdBackend.kernelChoice()}), or one line saying why there is none. */
    static java.util.List<String> kernelChoice() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return java.util.List.of("not available without jdk.incubator.vector");
        }
        try {
            Object lines = Class.forName("dev.panamax.backend.simd.SimdBackend").getMethod("kernelChoice").invoke(null);
            @SuppressWarnings("unchecked")
            java.util.List<String> list = (java.util.List<String>) lines;
            return list;
        } catch (ReflectiveOperationException | ExceptionInInitializerError e) {
            return java.util.List.of("unavailable: " + rootMessage(e));
        }
    }

    // the innermost cause's message: a bad -Dpanamax.simd.* value arrives wrapped in an
    // ExceptionInInitializerError (whose own message is null) inside an InvocationTargetException
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static String describe() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "not loaded (run java with --add-modules jdk.incubator.vector)";
        }
        try {
            Class<?> fv = Class.forName("jdk.incubator.vector.FloatVector");
            Object species = fv.getField("SPECIES_PREFERRED").get(null);
            Class<?> speciesType = Class.forName("jdk.incubator.vector.VectorSpecies");
            int bits = (int) speciesType.getMethod("vectorBitSize").invoke(species);
            int lanes = (int) speciesType.getMethod("length").invoke(species);
            return "FloatVector.SPECIES_PREFERRED = " + bits + " bits, " + lanes + " float lanes";
        } catch (ReflectiveOperationException e) {
            return "unavailable: " + e;
        }
    }
}
