package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the simd kernels are chosen from, read once when the class loads: the vector species (the
 * JVM's preferred one, or narrower under {@code -Dpanamax.simd.bits}), the size of the vector register
 * file, and the data caches the OS reports. Each figure keeps where it came from, for {@code panamax info}.
 */
public final class SimdHardware {
    /** System property capping the vector width: 128, 256 or 512 bits. */
    public static final String BITS_PROPERTY = "panamax.simd.bits";
    /** System property overriding the register-file size the kernels are chosen for: 16 or 32. */
    public static final String REGISTERS_PROPERTY = "panamax.simd.registers";

    /** The species every simd kernel uses: static final, so C2 treats it as a constant. */
    static final VectorSpecies<Float> SPECIES;
    static final String SPECIES_SOURCE;
    /** Vector registers the JIT can allocate. */
    static final int VECTOR_REGISTERS;
    static final String REGISTERS_SOURCE;
    /**
     * HotSpot's OptoRegScheduling: C2's register-pressure-aware local scheduler, on by default on x86. Where it is
     * on, C2 does not keep a 6-row tile in AVX2's 16 registers (GemmBlocking); null where it cannot be read.
     */
    static final Boolean REGISTER_SCHEDULING;
    static final CacheLevel L1D;
    static final CacheLevel L2;
    static final CacheLevel L3;

    /** Where Linux lists cpu0's caches: index0..N, each with level, type, size, ways, sets, line size. */
    static final Path LINUX_CACHES = Path.of("/sys/devices/system/cpu/cpu0/cache");

    static {
        String[] speciesSource = new String[1];
        SPECIES = chooseSpecies(System.getProperty(BITS_PROPERTY), FloatVector.SPECIES_PREFERRED, speciesSource);
        SPECIES_SOURCE = speciesSource[0];
        String[] registersSource = new String[1];
        VECTOR_REGISTERS = vectorRegisters(System.getProperty(REGISTERS_PROPERTY), System.getProperty("os.arch"),
                useAvx(), registersSource);
        REGISTERS_SOURCE = registersSource[0];
        String scheduling = vmOption("OptoRegScheduling");
        REGISTER_SCHEDULING = scheduling == null ? null : Boolean.valueOf(scheduling);
        List<CacheLevel> caches = readCaches(LINUX_CACHES);
        L1D = find(caches, 1, CacheLevel.defaultL1d());
        L2 = find(caches, 2, CacheLevel.defaultL2());
        L3 = find(caches, 3, CacheLevel.defaultL3());
    }

    private SimdHardware() {
    }

    /**
     * One data (or unified) cache level. sizeBytes = ways x sets x lineBytes where the OS reports all
     * three; sharedBy: how many logical CPUs share it.
     */
    public record CacheLevel(int level, long sizeBytes, int ways, int lineBytes, int sharedBy, String source) {
        /** Bytes one way holds (sets x line): addresses this far apart fall into the same set (rounded down where
         *  the ways do not divide the size). */
        public long wayBytes() {
            return sizeBytes / ways;
        }

        // Defaults where the OS says nothing: the smallest caches of the x86 and arm64 cores of the last ten
        // years that have the vector units these kernels use, so blocking errs towards fitting.
        static CacheLevel defaultL1d() {
            return new CacheLevel(1, 32 << 10, 8, 64, 1, "default (no cache information from the OS)");
        }

        static CacheLevel defaultL2() {
            return new CacheLevel(2, 512 << 10, 8, 64, 1, "default (no cache information from the OS)");
        }

        static CacheLevel defaultL3() {
            return new CacheLevel(3, 8 << 20, 16, 64, 4, "default (no cache information from the OS)");
        }

        String describe() {
            return String.format(Locale.ROOT, "L%d %s, %d-way, %d B lines, shared by %d CPU%s (%s)", level,
                    human(sizeBytes), ways, lineBytes, sharedBy, sharedBy == 1 ? "" : "s", source);
        }
    }

    /**
     * requested: the property's value or null; preferred: the JVM's widest species. A request wider than
     * the hardware offers gets the widest there is (and says so); one that is not 128, 256 or 512 fails.
     */
    static VectorSpecies<Float> chooseSpecies(String requested, VectorSpecies<Float> preferred, String[] source) {
        int widest = preferred.vectorBitSize();
        if (requested == null || requested.isBlank()) {
            source[0] = "FloatVector.SPECIES_PREFERRED (the JVM's widest; cap it with -D" + BITS_PROPERTY + ")";
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(requested.trim());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + " must be 128, 256 or 512, got '" + requested + "'");
        }
        if (bits >= widest) {
            source[0] = "-D" + BITS_PROPERTY + "=" + bits + (bits > widest
                    ? ", more than the JVM's widest species here: " + widest + " bits used" : "");
            return preferred;
        }
        source[0] = "-D" + BITS_PROPERTY + "=" + bits + " (the JVM's widest is " + widest + ")";
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /**
     * The vector registers C2 allocates: 32 on x86 when it emits AVX-512 (EVEX) code, UseAVX >= 3, which
     * also gives 128- and 256-bit vectors xmm/ymm16-31; 16 on x86 otherwise; 32 on aarch64 and riscv64.
     * override: the property's value or null; useAvx: HotSpot's UseAVX, or null where it cannot be read.
     */
    static int vectorRegisters(String override, String arch, Integer useAvx, String[] source) {
        if (override != null && !override.isBlank()) {
            if (!override.trim().equals("16") && !override.trim().equals("32")) {
                throw new IllegalArgumentException("-D" + REGISTERS_PROPERTY + " must be 16 or 32, got '" + override + "'");
            }
            source[0] = "-D" + REGISTERS_PROPERTY + "=" + override.trim();
            return Integer.parseInt(override.trim());
        }
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        if (a.equals("amd64") || a.equals("x86_64")) {
            if (useAvx == null) {
                source[0] = "x86 with HotSpot's UseAVX unreadable: assumed 16 (no AVX-512)";
                return 16;
            }
            source[0] = "x86, HotSpot UseAVX=" + useAvx + (useAvx >= 3 ? " (AVX-512: zmm0-31)" : " (no AVX-512: 16 registers)");
            return useAvx >= 3 ? 32 : 16;
        }
        if (a.equals("aarch64") || a.equals("riscv64")) {
            source[0] = a + ": 32 vector registers";
            return 32;
        }
        source[0] = "architecture '" + arch + "' not known here: assumed 16";
        return 16;
    }

    // HotSpot's UseAVX flag (0..3), or null on a JVM that does not have it or hides it
    private static Integer useAvx() {
        String value = vmOption("UseAVX");
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // a HotSpot flag's value as the JVM reports it, or null on a JVM that does not have it or hides it
    private static String vmOption(String name) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * The data and unified caches under a Linux cpu cache folder (index0, index1, ...); empty where the
     * folder does not exist or says nothing usable. A level needs its type, level and size; the
     * associativity, line size and sharing CPUs, which Linux leaves out where the firmware reports none
     * (device-tree arm64 machines, some VMs), fall back one by one to the stated default level's, and the
     * source says which. Entries whose required files cannot be read are skipped.
     */
    static List<CacheLevel> readCaches(Path folder) {
        List<CacheLevel> out = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Path index = folder.resolve("index" + i);
            if (!Files.isDirectory(index)) {
                continue;
            }
            try {
                String type = read(index, "type");
                if (!type.equals("Data") && !type.equals("Unified")) {
                    continue;
                }
                int level = Integer.parseInt(read(index, "level"));
                long size = parseSize(read(index, "size"));
                if (size <= 0 || level < 1) {
                    continue;
                }
                CacheLevel fallback = level == 1 ? CacheLevel.defaultL1d() : level == 2 ? CacheLevel.defaultL2()
                        : CacheLevel.defaultL3();
                List<String> assumed = new ArrayList<>();
                int ways = optionalCount(index, "ways_of_associativity", fallback.ways(), assumed);
                int line = optionalCount(index, "coherency_line_size", fallback.lineBytes(), assumed);
                int sharedBy;
                try {
                    sharedBy = Math.max(1, countCpus(read(index, "shared_cpu_list")));
                } catch (IOException | RuntimeException e) {
                    sharedBy = fallback.sharedBy();
                    assumed.add("shared_cpu_list (" + sharedBy + ")");
                }
                String source = index + (assumed.isEmpty() ? "" : "; not reported, the default's: " + String.join(", ", assumed));
                out.add(new CacheLevel(level, size, ways, line, sharedBy, source));
            } catch (IOException | RuntimeException e) {
                // type, level or size missing or unreadable: this level falls back to its stated default
            }
        }
        return out;
    }

    // a positive count from one of a cache folder's files, or the default's (noted in assumed) where the file is
    // missing, unreadable or not a positive number
    private static int optionalCount(Path index, String file, int fallback, List<String> assumed) {
        try {
            int value = Integer.parseInt(read(index, file));
            if (value > 0) {
                return value;
            }
        } catch (IOException | RuntimeException e) {
            // falls through to the default
        }
        assumed.add(file + " (" + fallback + ")");
        return fallback;
    }

    private static CacheLevel find(List<CacheLevel> caches, int level, CacheLevel fallback) {
        return caches.stream().filter(c -> c.level() == level).findFirst().orElse(fallback);
    }

    private static String read(Path folder, String file) throws IOException {
        return Files.readString(folder.resolve(file)).trim();
    }

    /** "32K", "1024K", "32M", "65536" -> bytes. */
    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) {
            unit = 1 << 10;
        } else if (t.endsWith("M")) {
            unit = 1 << 20;
        } else if (t.endsWith("G")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }

    /** "0-1,4,6-7" -> 5. */
    static int countCpus(String list) {
        int count = 0;
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            count += dash < 0 ? 1 : Integer.parseInt(p.substring(dash + 1)) - Integer.parseInt(p.substring(0, dash)) + 1;
        }
        return count;
    }

    private static String human(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    /** Lines for {@code panamax info}: the species, the register file and the caches, each with its source. */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "vectors     %d-bit, %d float lanes: %s", SPECIES.vectorBitSize(),
                SPECIES.length(), SPECIES_SOURCE));
        lines.add(String.format(Locale.ROOT, "registers   %d vector registers: %s", VECTOR_REGISTERS, REGISTERS_SOURCE));
        lines.add("caches      " + L1D.describe());
        lines.add("            " + L2.describe());
        lines.add("            " + L3.describe());
        return lines;
    }
}
