package dev.panamax.backend.reference;

/** Float arithmetic the reference kernels share. */
final class ReferenceMath {
    private ReferenceMath() {
    }

    /** Correctly rounded float square root (the double sqrt of a float, rounded once, is exact). */
    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
