package dev.panamax.backend.simd;

import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The GEMM's micro-tile and cache blocking, derived once from {@link SimdHardware}. Every figure is a
 * static final, so C2 folds the kernel choice and the loop bounds into the code it emits.
 *
 * <p><b>Micro-tile.</b> A tile is MR rows x NR = 2 vectors of C held in MR x 2 accumulators, plus the
 * two B vectors of the current step and one broadcast of A: 2 MR + 3 registers. With 32 registers
 * (AVX-512, aarch64) MR = 12 uses 27. With 16 (AVX2, SSE) MR = 6 uses 15, BLIS's haswell shape, but C2
 * keeps it in registers only with its register-pressure-aware scheduler off (-XX:-OptoRegScheduling,
 * read at startup): with the scheduler on, C2 issues an iteration's loads first and spills the
 * accumulators, and MR = 4 (11 registers) is the most it keeps (see {@link GemmKernels16}). The 2 MR
 * independent FMA chains (24, 12 or 8) cover the 8 in flight that two FMA pipes of 4 cycles' latency
 * need; 8 leave no slack, so any late instruction costs FMA cycles at once.
 *
 * <p><b>Blocking</b> follows Low et al., "Analytical modeling is enough for high-performance BLIS"
 * (ACM TOMS 43(2), 2016): a micro-panel is contiguous, so it fills whole ways of a set-associative
 * cache; one way of each level is left to C and to what streams through.
 * <ul>
 * <li>KC: the narrower of the two micro-panels (A's MR x KC, or B's KC x NR where NR < MR) fills the L1
 *     ways but one: KC = (ways - 1) x way / (4 min(MR, NR)); the wider one is served from the L2. The C
 *     tile is loaded and stored once per KC block (2 MR NR floats against MR NR KC multiply-adds), so a
 *     longer KC spends less of the kernel on C, as long as the L2 can feed the wider panel at the FMA
 *     rate: a 12 x 32 step needs 176 bytes per 12 cycles of FMAs, far below the 32 to 64 bytes per
 *     cycle an x86 L2 delivers. The paper's rule keeps the B micro-panel in L1, which gives a third of
 *     this KC for a 12 x 32 tile, and the large squares ran up to 15% slower with it (README, "Blocking").
 *     BLIS's Zen 4 sgemm (32 x 12) likewise keeps its 12-wide panel in L1, with KC 480.</li>
 * <li>MC: the packed A block (MC x KC) takes the L2 ways left after one for C and those the B
 *     micro-panel needs: MC = (ways - 1 - ceil(4 KC NR / way)) x way / (4 KC), a multiple of MR.</li>
 * <li>NC: the packed B block (KC x NC) takes this thread's share of the L3 ways but one (the L3 is
 *     divided among the CPUs that share it), less the A block: a multiple of NR.</li>
 * </ul>
 */
final class GemmBlocking {
    static final VectorSpecies<Float> F = SimdHardware.SPECIES;
    /** Floats per vector. */
    static final int L = F.length();
    /** True where the kernels are the family for 16 vector registers ({@link GemmKernels16}: 4 or 6 rows). */
    static final boolean SIXTEEN_REGISTERS = SimdHardware.VECTOR_REGISTERS < 2 * 12 + 3;
    /**
     * System property choosing the 16-register family's tile rows, 4 or 6 (6 with 8 or 16 lanes only), for
     * experiments: -Dpanamax.simd.mr=4. MC stays a multiple of MR, so -Dpanamax.simd.mc must be one too.
     */
    static final String MR_PROPERTY = "panamax.simd.mr";
    /** Rows of C per micro-tile: 2 MR + 3 registers (see the class comment). */
    static final int MR;
    /** Why MR is what it is, for {@code panamax info}. */
    static final String MR_SOURCE;

    static {
        String[] source = new String[1];
        MR = tileRows(System.getProperty(MR_PROPERTY), SIXTEEN_REGISTERS, L, SimdHardware.REGISTER_SCHEDULING, source);
        MR_SOURCE = source[0];
    }

    /** Columns of C per micro-tile: two vectors. */
    static final int NR = 2 * L;
    /** System properties that replace the model's KC, MC or NC, for experiments: -Dpanamax.simd.kc=256. */
    static final String KC_PROPERTY = "panamax.simd.kc";
    static final String MC_PROPERTY = "panamax.simd.mc";
    static final String NC_PROPERTY = "panamax.simd.nc";
    /**
     * k steps per packed block (L1 model): KC = (L1 ways - 1) x way bytes / (4 min(MR, NR)), at least MIN_KC.
     * Worked for a 32 KiB 8-way L1 (4,096-byte ways) and the 12 x 32 tile: 7 x 4096 / 48 = 597; for the 6 x 16
     * tile: 7 x 4096 / 24 = 1194. {@code panamax info} prints the figure with this machine's cache.
     */
    static final int KC = override(KC_PROPERTY, kc(SimdHardware.L1D, MR, NR), 1);
    /**
     * Rows of A per packed block (L2 model): MC = (L2 ways - 1 - ceil(4 KC NR / way)) x way / (4 KC), rounded down
     * to a multiple of MR. Worked for a 1 MiB 8-way L2 (131,072-byte ways), KC 597, NR 32: the B micro-panel takes
     * ceil(76,416 / 131,072) = 1 way, so (8 - 1 - 1) x 131,072 / 2,388 = 329, and 324 as 27 tiles of 12 rows.
     */
    static final int MC = override(MC_PROPERTY, mc(SimdHardware.L2, KC, MR, NR), MR);
    /**
     * Columns of B per packed block (L3 model): NC = ((L3 ways - 1) x way / CPUs sharing it - 4 MC KC) / (4 KC),
     * rounded down to a multiple of NR. Worked for a 32 MiB 16-way L3 shared by 2 CPUs, MC 324, KC 597:
     * (15 x 2 MiB / 2 - 773,712) / 2,388 = 6,262, and 6,240 as 195 panels of 32.
     */
    static final int NC = override(NC_PROPERTY, nc(SimdHardware.L3, MC, KC, NR), NR);
    /** Bytes apart at which two addresses fall into the same L1 set. */
    static final long L1_WAY_BYTES = SimdHardware.L1D.wayBytes();
    /** Floats in one cache line. */
    static final int LINE_FLOATS = Math.max(1, SimdHardware.L1D.lineBytes() / Float.BYTES);
    /** A floor for KC where a cache is too small for the model to give one: 16 steps still amortize a tile's stores. */
    static final int MIN_KC = 16;

    private GemmBlocking() {
    }

    /**
     * The tile's rows: 12 with 32 registers; with 16, 6 where C2's register-pressure scheduler is off
     * (scheduling = false) and 4 where it is on or cannot be read; override: the property's value or null.
     * 6 needs 8 lanes or more: GemmPacking transposes A in whole groups of L rows at 4 lanes, and 6 is not one.
     */
    static int tileRows(String override, boolean sixteenRegisters, int lanes, Boolean scheduling, String[] source) {
        boolean sixFits = lanes >= 8;
        if (override != null && !override.isBlank()) {
            String v = override.trim();
            boolean allowed = sixteenRegisters ? v.equals("4") || v.equals("6") && sixFits : v.equals("12");
            if (!allowed) {
                throw new IllegalArgumentException("-D" + MR_PROPERTY + " must be " + (!sixteenRegisters
                        ? "12 with 32 vector registers" : sixFits ? "4 or 6 with 16 vector registers"
                        : "4 with 16 vector registers of " + lanes + " lanes") + ", got '" + override + "'");
            }
            source[0] = "-D" + MR_PROPERTY + "=" + v;
            return Integer.parseInt(v);
        }
        if (!sixteenRegisters) {
            source[0] = "32 registers";
            return 12;
        }
        if (Boolean.FALSE.equals(scheduling) && sixFits) {
            source[0] = "16 registers, -XX:-OptoRegScheduling (C2 keeps 12 accumulators in registers)";
            return 6;
        }
        if (Boolean.FALSE.equals(scheduling)) {
            source[0] = "16 registers of " + lanes + " lanes (the 6-row tile needs 8 or more)";
            return 4;
        }
        source[0] = "16 registers, C2's OptoRegScheduling " + (scheduling == null ? "unreadable" : "on")
                + " (it spills a 6-row tile; -XX:-OptoRegScheduling gives the 6 x 2-vector tile)";
        return 4;
    }

    /** The model's value, or the property's where set: a positive multiple of {@code multiple}, else a clear error. */
    static int override(String property, int model, int multiple) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return model;
        }
        int v;
        try {
            v = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v <= 0 || v % multiple != 0 || v > 1 << 16) {
            throw new IllegalArgumentException("-D" + property + " must be a positive multiple of " + multiple
                    + " up to 65536, got '" + value + "' (the cache model gives " + model + ")");
        }
        return v;
    }

    /** Whole ways that {@code bytes} of contiguous data take in a cache. */
    static long ways(long bytes, SimdHardware.CacheLevel cache) {
        return (bytes + cache.wayBytes() - 1) / cache.wayBytes();
    }

    /** The largest kc whose narrower micro-panel (mr x kc or kc x nr) fits in the L1's ways but one. */
    static int kc(SimdHardware.CacheLevel l1, int mr, int nr) {
        long kc = (l1.ways() - 1) * l1.wayBytes() / ((long) Math.min(mr, nr) * Float.BYTES);
        return (int) Math.max(MIN_KC, Math.min(1 << 12, kc));
    }

    /** Rows of the packed A block (mc x kc) that fit the L2's ways left after one for C and the B micro-panel's. */
    static int mc(SimdHardware.CacheLevel l2, int kc, int mr, int nr) {
        long forA = l2.ways() - 1 - ways((long) kc * nr * Float.BYTES, l2);
        long rows = forA * l2.wayBytes() / ((long) kc * Float.BYTES);
        return (int) Math.max(mr, Math.min(1 << 16, rows) / mr * mr);
    }

    /** Columns of the packed B block (kc x nc) in this thread's share of the L3's ways but one, less the A block. */
    static int nc(SimdHardware.CacheLevel l3, int mc, int kc, int nr) {
        long share = (l3.ways() - 1) * l3.wayBytes() / l3.sharedBy() - (long) mc * kc * Float.BYTES;
        long cols = share / ((long) kc * Float.BYTES);
        return (int) Math.max(nr, Math.min(1 << 16, cols) / nr * nr);
    }

    /** Lines for {@code panamax info}: the kernel family, tile and blocking, with the arithmetic behind each. */
    static List<String> describe() {
        SimdHardware.CacheLevel l1 = SimdHardware.L1D;
        SimdHardware.CacheLevel l2 = SimdHardware.L2;
        SimdHardware.CacheLevel l3 = SimdHardware.L3;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "kernel      %s family, tile MR x NR = %d x %d (%d accumulators + 2 B vectors"
                        + " + 1 broadcast = %d of %d registers): %s", SIXTEEN_REGISTERS ? "16-register" : "32-register",
                MR, NR, 2 * MR, 2 * MR + 3, SimdHardware.VECTOR_REGISTERS, MR_SOURCE));
        if (System.getProperty(KC_PROPERTY) != null || System.getProperty(MC_PROPERTY) != null
                || System.getProperty(NC_PROPERTY) != null) {
            lines.add("blocking    set by -D" + KC_PROPERTY + " / " + MC_PROPERTY + " / " + NC_PROPERTY
                    + " where given; the model's arithmetic below is for the values in use");
        }
        int narrow = Math.min(MR, NR);
        lines.add(String.format(Locale.ROOT, "blocking    KC = %-5d the %s micro-panel (%d wide) = %d of the L1's %d ways (way = %d B);"
                        + " the %s one (%d wide) is served from the L2", KC, MR <= NR ? "A" : "B", narrow,
                ways((long) KC * narrow * 4, l1), l1.ways(), l1.wayBytes(), MR <= NR ? "B" : "A", Math.max(MR, NR)));
        lines.add(String.format(Locale.ROOT, "            MC = %-5d A block %d x %d = %d KiB in %d of the L2's %d ways (one for C, %d"
                        + " for the B micro-panel)", MC, MC, KC, (long) MC * KC * 4 >> 10,
                l2.ways() - 1 - ways((long) KC * NR * 4, l2), l2.ways(), ways((long) KC * NR * 4, l2)));
        lines.add(String.format(Locale.ROOT, "            NC = %-5d B block %d x %d = %d KiB of the L3's %d ways but one, shared by"
                        + " %d CPU%s, less the A block", NC, KC, NC, (long) KC * NC * 4 >> 10, l3.ways(), l3.sharedBy(),
                l3.sharedBy() == 1 ? "" : "s"));
        return lines;
    }
}
