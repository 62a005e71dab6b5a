package dev.panamax.check;

import dev.panamax.backend.Compute;
import dev.panamax.backend.DeferredBackend;
import dev.panamax.backend.simd.SimdBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GPU benchmark's training loop, run briefly on CPU backends: it must train (the loss falls) in both
 * data modes. Step counts, not durations, decide how long it trains, so a slow machine gets the same result.
 */
class TrainingThroughputTest {
    @Test
    void theBenchmarkLoopLearnsWithHostAndBackendData() {
        try (Compute compute = new Compute(new SimdBackend(2))) {
            TrainingThroughput.Result r = TrainingThroughput.measure(compute, 128, false, 0, 0, 80);
            assertTrue(r.steps() >= 80 && r.samplesPerSecond() > 0, r.toString());
            assertTrue(r.learned(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
        }
        try (Compute compute = new Compute(new DeferredBackend(new SimdBackend(2)))) {
            TrainingThroughput.Result r = TrainingThroughput.measure(compute, 256, true, 0, 0, 80);
            assertTrue(r.learned(), "asynchronous, data in backend memory: loss " + r.firstLoss() + " -> " + r.lastLoss());
        }
    }
}
