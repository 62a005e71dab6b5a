package dev.panamax.backend.blas;

/** Run in a child JVM by SystemOpenBlasTest: loads the system OpenBLAS by SONAME and prints its source and file. */
public final class SystemOpenBlasProbe {
    private SystemOpenBlasProbe() {
    }

    public static void main(String[] args) {
        BlasLibrary lib = BlasLibrary.loadSystem();
        System.out.println(lib.source() + " " + lib.path());
    }
}
