package dev.panamax.backend.simd;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The analytical blocking model on caches of known machines (figures from the vendors' optimization
 * guides: Zen 3 and Zen 4 have a 32 KiB 8-way L1d, Zen 5 a 48 KiB 12-way one; all 64 B lines), and the
 * invariants that make it a model rather than a table: what it picks fits, and one step more does not.
 */
class GemmBlockingTest {
    private static final SimdHardware.CacheLevel L1_32K_8WAY = new SimdHardware.CacheLevel(1, 32 << 10, 8, 64, 1, "test");
    private static final SimdHardware.CacheLevel L1_48K_12WAY = new SimdHardware.CacheLevel(1, 48 << 10, 12, 64, 1, "test");
    private static final SimdHardware.CacheLevel L2_1M_8WAY = new SimdHardware.CacheLevel(2, 1 << 20, 8, 64, 1, "test");
    private static final SimdHardware.CacheLevel L3_32M_16WAY = new SimdHardware.CacheLevel(3, 32 << 20, 16, 64, 8, "test");

    private static boolean fitsL1(int kc, int mr, int nr, SimdHardware.CacheLevel l1) {
        return GemmBlocking.ways((long) kc * Math.min(mr, nr) * 4, l1) <= l1.ways() - 1;
    }

    @Test
    void kcFillsTheL1WaysButOneWithTheNarrowerMicroPanelAndNoMore() {
        int[][] tiles = {{12, 32}, {4, 16}, {12, 16}, {12, 8}, {4, 8}, {4, 32}};
        for (SimdHardware.CacheLevel l1 : new SimdHardware.CacheLevel[] {L1_32K_8WAY, L1_48K_12WAY}) {
            for (int[] t : tiles) {
                int kc = GemmBlocking.kc(l1, t[0], t[1]);
                String what = t[0] + "x" + t[1] + " in " + l1;
                assertTrue(fitsL1(kc, t[0], t[1], l1), what + ": kc " + kc + " does not fit");
                assertFalse(fitsL1(kc + 1, t[0], t[1], l1), what + ": kc " + kc + " is not the largest");
            }
        }
    }

    @Test
    void kcOnKnownMachines() {
        // 12 x 32 on Zen 5's L1: A 938 x 12 x 4 B = 45,024 B, 11 ways of 4 KiB, of 12
        assertEquals(938, GemmBlocking.kc(L1_48K_12WAY, 12, 32));
        // 12 x 32 on Zen 4's L1: A 597 x 48 B = 28,656 B, 7 ways of 8
        assertEquals(597, GemmBlocking.kc(L1_32K_8WAY, 12, 32));
        // 4 x 16 (AVX2) on Zen 3's L1: A 1792 x 16 B = 7 ways of 8
        assertEquals(1792, GemmBlocking.kc(L1_32K_8WAY, 4, 16));
        // 12 x 8 (128-bit, 32 registers): B is the narrower, 896 x 32 B = 7 ways of 8
        assertEquals(896, GemmBlocking.kc(L1_32K_8WAY, 12, 8));
    }

    @Test
    void mcLeavesOneL2WayForCAndTheBMicroPanelItsWays() {
        int mc = GemmBlocking.mc(L2_1M_8WAY, 224, 12, 32);
        assertEquals(0, mc % 12);
        long aWays = GemmBlocking.ways((long) mc * 224 * 4, L2_1M_8WAY);
        long bWays = GemmBlocking.ways(224L * 32 * 4, L2_1M_8WAY);
        assertTrue(aWays + bWays <= 7, "A block " + mc + " x 224 takes " + aWays + " ways");
        assertTrue((long) (mc + 12) * 224 * 4 > (7 - bWays) * L2_1M_8WAY.wayBytes(), "mc " + mc + " is not the largest");
    }

    @Test
    void ncIsThisThreadsShareOfTheL3LessTheABlock() {
        int nc = GemmBlocking.nc(L3_32M_16WAY, 1224, 160, 32);
        assertEquals(0, nc % 32);
        long share = 15L * (2 << 20) / 8;
        assertTrue((long) nc * 160 * 4 + 1224L * 160 * 4 <= share);
        assertTrue((long) (nc + 32) * 160 * 4 + 1224L * 160 * 4 > share);
    }

    @Test
    void tinyCachesStillGiveAUsableBlocking() {
        SimdHardware.CacheLevel tiny = new SimdHardware.CacheLevel(1, 4 << 10, 2, 64, 1, "test");
        assertEquals(GemmBlocking.MIN_KC, GemmBlocking.kc(tiny, 64, 64)); // 2048 B way / (64 x 4 B) = 8 steps: floored
        assertEquals(12, GemmBlocking.mc(tiny, 256, 12, 32));
        assertEquals(32, GemmBlocking.nc(tiny, 12, 256, 32));
    }

    @Test
    void infoReportsTheFiguresInUse() {
        assertTrue(GemmBlocking.describe().stream().anyMatch(l -> l.contains("KC = " + GemmBlocking.KC + " ")));
        assertTrue(GemmBlocking.describe().stream().anyMatch(l -> l.contains("MC = " + GemmBlocking.MC + " ")));
        assertTrue(GemmBlocking.describe().stream().anyMatch(l -> l.contains("MR x NR = " + GemmBlocking.MR + " x "
                + GemmBlocking.NR)));
    }

    @Test
    void overridesAreCheckedAndNamed() {
        String key = "panamax.test.blocking.override";
        assertEquals(160, GemmBlocking.override(key, 160, 12));
        System.setProperty(key, "240");
        try {
            assertEquals(240, GemmBlocking.override(key, 160, 12));
            for (String bad : new String[] {"250", "0", "-12", "many"}) {
                System.setProperty(key, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> GemmBlocking.override(key, 160, 12));
                assertTrue(e.getMessage().contains(key) && e.getMessage().contains("'" + bad + "'")
                        && e.getMessage().contains("multiple of 12"), e.getMessage());
            }
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    void theTileRowsFollowTheRegisterFileAndC2sScheduler() {
        String[] source = new String[1];
        assertEquals(12, GemmBlocking.tileRows(null, false, 8, true, source));
        assertEquals(12, GemmBlocking.tileRows(null, false, 8, false, source));
        assertEquals(4, GemmBlocking.tileRows(null, true, 8, true, source));
        assertTrue(source[0].contains("-XX:-OptoRegScheduling"), source[0]); // says how to get the wider tile
        assertEquals(4, GemmBlocking.tileRows(null, true, 8, null, source)); // unreadable: the tile that fits either way
        assertTrue(source[0].contains("unreadable"), source[0]);
        assertEquals(6, GemmBlocking.tileRows(null, true, 8, false, source));
        assertEquals(6, GemmBlocking.tileRows(null, true, 16, false, source));
        // 4 lanes: A is transposed in whole groups of 4 rows, which 6 is not
        assertEquals(4, GemmBlocking.tileRows(null, true, 4, false, source));
        assertTrue(source[0].contains("4 lanes"), source[0]);
        assertEquals(6, GemmBlocking.tileRows(" 6 ", true, 8, true, source));
        assertEquals(4, GemmBlocking.tileRows("4", true, 8, false, source));
        assertTrue(source[0].contains(GemmBlocking.MR_PROPERTY + "=4"), source[0]);
        for (String bad : new String[] {"12", "5", "8", "six"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GemmBlocking.tileRows(bad, true, 8, false, new String[1]));
            assertTrue(e.getMessage().contains(GemmBlocking.MR_PROPERTY) && e.getMessage().contains("'" + bad + "'"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> GemmBlocking.tileRows("6", false, 8, false, new String[1]));
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> GemmBlocking.tileRows("6", true, 4, false, new String[1]));
        assertTrue(narrow.getMessage().contains("4 lanes"), narrow.getMessage());
    }

    @Test
    void theTileInUseIsTheOneThisJvmsFlagsCallFor() {
        // the width executions run this class too: the flags this JVM was started with (read from the command line,
        // not through the code under test) must reach the tile: UseAVX=2 alone 4 rows, with -XX:-OptoRegScheduling 6
        java.util.List<String> flags = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
        if (x86 && flags.contains("-XX:UseAVX=2") && System.getProperty(GemmBlocking.MR_PROPERTY) == null
                && System.getProperty(SimdHardware.REGISTERS_PROPERTY) == null) {
            assertTrue(GemmBlocking.SIXTEEN_REGISTERS);
            assertEquals(flags.contains("-XX:-OptoRegScheduling") && GemmBlocking.L >= 8 ? 6 : 4, GemmBlocking.MR,
                    GemmBlocking.MR_SOURCE);
        }
        assertEquals(SimdHardware.VECTOR_REGISTERS < 27, GemmBlocking.SIXTEEN_REGISTERS);
        assertEquals(GemmBlocking.SIXTEEN_REGISTERS ? 2 * GemmBlocking.MR + 3 <= 16 : GemmBlocking.MR == 12, true,
                "MR " + GemmBlocking.MR + " must fit the register file");
    }

    @Test
    void theVectorWidthInUseIsTheOneThisJvmsFlagsCallFor() {
        // the width executions cap the vectors with -XX:MaxVectorSize or -Dpanamax.simd.bits: read from the command
        // line, not through the code under test, each cap must reach the kernels' lane count
        int expected = 512;
        for (String flag : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("-XX:MaxVectorSize=")) {
                expected = Math.min(expected, 8 * Integer.parseInt(flag.substring("-XX:MaxVectorSize=".length())));
            } else if (flag.startsWith("-D" + SimdHardware.BITS_PROPERTY + "=")) {
                expected = Math.min(expected, Integer.parseInt(flag.substring(SimdHardware.BITS_PROPERTY.length() + 3)));
            }
        }
        // the JVM's own widest species is the last cap (a machine without 512-bit vectors)
        expected = Math.min(expected, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        assertEquals(expected, GemmBlocking.L * Float.SIZE, GemmBlocking.F.toString());
    }
}
