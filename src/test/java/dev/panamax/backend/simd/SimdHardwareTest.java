package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Reading the hardware: Linux's cache folders (a fake tree here), the register file, the species cap. */
class SimdHardwareTest {

    private static void cacheIndex(Path root, int index, String level, String type, String size, String ways,
                                   String line, String shared) throws IOException {
        Path d = Files.createDirectories(root.resolve("index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("ways_of_associativity"), ways + "\n");
        Files.writeString(d.resolve("coherency_line_size"), line + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), shared + "\n");
    }

    @Test
    void readsDataAndUnifiedCachesAndSkipsInstructionCaches(@TempDir Path root) throws IOException {
        cacheIndex(root, 0, "1", "Data", "48K", "12", "64", "0,16");
        cacheIndex(root, 1, "1", "Instruction", "32K", "8", "64", "0,16");
        cacheIndex(root, 2, "2", "Unified", "1024K", "16", "64", "0,16");
        cacheIndex(root, 3, "3", "Unified", "32768K", "16", "64", "0-7,16-23");
        List<SimdHardware.CacheLevel> caches = SimdHardware.readCaches(root);
        assertEquals(3, caches.size());
        SimdHardware.CacheLevel l1 = caches.get(0);
        assertEquals(1, l1.level());
        assertEquals(48 << 10, l1.sizeBytes());
        assertEquals(12, l1.ways());
        assertEquals(4096, l1.wayBytes());
        assertEquals(2, l1.sharedBy());
        assertEquals(16, caches.get(2).sharedBy());
        assertEquals(32L << 20, caches.get(2).sizeBytes());
    }

    @Test
    void aMalformedOrMissingEntryIsSkippedNotFatal(@TempDir Path root) throws IOException {
        cacheIndex(root, 0, "1", "Data", "lots", "8", "64", "0");
        cacheIndex(root, 2, "2", "Unified", "0K", "8", "64", "0");
        Files.createDirectories(root.resolve("index3"));
        assertEquals(List.of(), SimdHardware.readCaches(root));
        assertEquals(List.of(), SimdHardware.readCaches(root.resolve("does-not-exist")));
    }

    @Test
    void aSizeWithoutItsGeometryIsKeptAndTheMissingFieldsAreTheDefaultsSaidSo(@TempDir Path root) throws IOException {
        // Linux leaves out what the firmware does not report (device-tree arm64): level, type and size alone
        Path l1 = Files.createDirectories(root.resolve("index0"));
        Files.writeString(l1.resolve("level"), "1\n");
        Files.writeString(l1.resolve("type"), "Data\n");
        Files.writeString(l1.resolve("size"), "64K\n");
        cacheIndex(root, 2, "2", "Unified", "2048K", "0", "64", "0-3");
        List<SimdHardware.CacheLevel> caches = SimdHardware.readCaches(root);
        assertEquals(2, caches.size());
        SimdHardware.CacheLevel first = caches.get(0);
        SimdHardware.CacheLevel defaultL1 = SimdHardware.CacheLevel.defaultL1d();
        assertEquals(64 << 10, first.sizeBytes(), "the size the OS reported is kept");
        assertEquals(defaultL1.ways(), first.ways());
        assertEquals(defaultL1.lineBytes(), first.lineBytes());
        assertEquals(defaultL1.sharedBy(), first.sharedBy());
        for (String file : new String[] {"ways_of_associativity", "coherency_line_size", "shared_cpu_list"}) {
            assertTrue(first.source().contains(file), first.source());
        }
        SimdHardware.CacheLevel second = caches.get(1);
        assertEquals(2 << 20, second.sizeBytes());
        assertEquals(SimdHardware.CacheLevel.defaultL2().ways(), second.ways(), "0 ways is not a count");
        assertEquals(4, second.sharedBy());
        assertTrue(second.source().contains("ways_of_associativity") && !second.source().contains("coherency_line_size"),
                second.source());
    }

    @Test
    void sizesAndCpuLists() {
        assertEquals(32 << 10, SimdHardware.parseSize("32K"));
        assertEquals(2 << 20, SimdHardware.parseSize("2M"));
        assertEquals(65536, SimdHardware.parseSize("65536"));
        assertEquals(1, SimdHardware.countCpus("0"));
        assertEquals(5, SimdHardware.countCpus("0-1,4,6-7"));
    }

    @Test
    void registerFileFollowsTheInstructionSetTheJitUses() {
        String[] source = new String[1];
        assertEquals(32, SimdHardware.vectorRegisters(null, "amd64", 3, source));
        assertTrue(source[0].contains("UseAVX=3"), source[0]);
        assertEquals(16, SimdHardware.vectorRegisters(null, "amd64", 2, source));
        assertEquals(16, SimdHardware.vectorRegisters(null, "x86_64", null, source));
        assertTrue(source[0].contains("unreadable"), source[0]);
        assertEquals(32, SimdHardware.vectorRegisters(null, "aarch64", null, source));
        assertEquals(16, SimdHardware.vectorRegisters(null, "s390x", null, source));
        assertEquals(16, SimdHardware.vectorRegisters("16", "aarch64", null, source));
        assertTrue(source[0].contains(SimdHardware.REGISTERS_PROPERTY), source[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimdHardware.vectorRegisters("24", "amd64", 3, new String[1]));
        assertTrue(e.getMessage().contains("16 or 32") && e.getMessage().contains("'24'"), e.getMessage());
    }

    @Test
    void theBitsPropertyCapsTheSpeciesAndRejectsOtherWidths() {
        String[] source = new String[1];
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        assertSame(preferred, SimdHardware.chooseSpecies(null, preferred, source));
        assertEquals(128, SimdHardware.chooseSpecies("128", preferred, source).vectorBitSize());
        // asking for more than the JVM has gives what it has, and says so
        assertEquals(256, SimdHardware.chooseSpecies("512", FloatVector.SPECIES_256, source).vectorBitSize());
        assertTrue(source[0].contains("256 bits used"), source[0]);
        for (String bad : new String[] {"64", "300", "wide"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SimdHardware.chooseSpecies(bad, preferred, new String[1]));
            assertTrue(e.getMessage().contains("128, 256 or 512") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}
