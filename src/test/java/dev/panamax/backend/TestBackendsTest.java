package dev.panamax.backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restriction the width executions put on the per-backend tests: it narrows, and never to nothing. */
class TestBackendsTest {
    private final String before = System.getProperty(TestBackends.ONLY_PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(TestBackends.ONLY_PROPERTY);
        } else {
            System.setProperty(TestBackends.ONLY_PROPERTY, before);
        }
    }

    @Test
    void unsetMeansEveryBackendThatLoads() {
        System.clearProperty(TestBackends.ONLY_PROPERTY);
        assertEquals(Backends.names(), TestBackends.names());
        List<Backend> all = TestBackends.available(1);
        try {
            assertTrue(all.stream().anyMatch(b -> b.name().equals("scalar")), "scalar always loads: " + all);
        } finally {
            all.forEach(Backend::close);
        }
    }

    @Test
    void aNamedBackendIsTheOnlyOneTested() {
        System.setProperty(TestBackends.ONLY_PROPERTY, "scalar");
        List<Backend> only = TestBackends.available(1);
        try {
            assertEquals(List.of("scalar"), only.stream().map(Backend::name).toList());
        } finally {
            only.forEach(Backend::close);
        }
    }

    @Test
    void aNameGivenTwiceIsTestedOnce() {
        System.setProperty(TestBackends.ONLY_PROPERTY, "scalar, scalar");
        assertEquals(List.of("scalar"), TestBackends.names());
    }

    @Test
    void anUnknownNameFailsRatherThanTestingNothing() {
        System.setProperty(TestBackends.ONLY_PROPERTY, "simd,smid");
        IllegalStateException e = assertThrows(IllegalStateException.class, TestBackends::names);
        assertTrue(e.getMessage().contains("'smid'"), e.getMessage());
    }
}
