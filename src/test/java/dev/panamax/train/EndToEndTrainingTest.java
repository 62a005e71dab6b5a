package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.backend.DeferredBackend;
import dev.panamax.backend.simd.SimdBackend;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.FashionMnistSlice;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.io.SafetensorsWriter;
import dev.panamax.nn.Loss;
import dev.panamax.optim.OptimizerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Trains the 784-64-10 MLP on the repository's slice of real Fashion-MNIST ({@link FashionMnistSlice}:
 * no package, no network) on every backend that loads, and checks exact resume.
 */
class EndToEndTrainingTest {
    private static DatasetPair slice;

    @BeforeAll
    static void load() throws IOException {
        slice = FashionMnistSlice.load();
    }

    @AfterAll
    static void close() {
        if (slice != null) {
            slice.close();
        }
    }

    private static DatasetPair slice() {
        return slice;
    }

    @Test
    void everyBackendLearnsWellAboveChance() throws IOException {
        List<Backend> backends = Backends.allAvailable(2);
        assertFalse(backends.isEmpty());
        for (Backend backend : backends) {
            ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 64, 10}, Activation.RELU, Loss.CROSS_ENTROPY);
            try (Compute compute = new Compute(backend);
                 TrainingSession s = new TrainingSession(spec, OptimizerSpec.parse("sgd(lr=0.1,momentum=0.9)"), compute,
                         slice(), new TrainingSession.Options(3, 64, 7, null, false))) {
                List<EpochMetrics> h = s.run(new TrainingSession.Listener() { });
                assertEquals(3, h.size());
                EpochMetrics last = h.getLast();
                // chance is 10%; this slice reaches ~78-80% with these settings on the scalar backend
                assertTrue(last.testAccuracy() > 0.70, backend.name() + ": test accuracy " + last.testAccuracy());
                assertTrue(last.trainLoss() < h.getFirst().trainLoss(), backend.name() + ": train loss did not fall");
            }
        }
    }

    @Test
    void resumedRunEndsWithBitIdenticalWeights(@TempDir Path tmp) throws IOException {
        String backendName;
        try (dev.panamax.backend.Backend best = Backends.best(2)) {
            backendName = best.name();
        }
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 32, 10}, Activation.TANH, Loss.CROSS_ENTROPY);
        OptimizerSpec opt = OptimizerSpec.parse("adam(lr=0.002)");
        Path straight = tmp.resolve("straight");
        Path interrupted = tmp.resolve("interrupted");
        try (Compute c = new Compute(Backends.create(backendName, 2));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(3, 100, 5, straight, false))) {
            s.run(new TrainingSession.Listener() { });
        }
        try (Compute c = new Compute(Backends.create(backendName, 2));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(2, 100, 5, interrupted, false))) {
            s.run(new TrainingSession.Listener() { });
        }
        try (Compute c = new Compute(Backends.create(backendName, 2));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(3, 100, 5, interrupted, true))) {
            assertEquals(3, s.nextEpoch());
            assertEquals(2, s.history().size(), "metrics history is restored");
            s.run(new TrainingSession.Listener() { });
            assertEquals(3, s.history().size());
        }
        try (SafetensorsReader a = SafetensorsReader.open(straight.resolve(TrainingSession.CHECKPOINT));
             SafetensorsReader b = SafetensorsReader.open(interrupted.resolve(TrainingSession.CHECKPOINT))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                float[] x = a.readFloats(name);
                float[] y = b.readFloats(name);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]),
                            name + "[" + i + "] differs after resume on " + backendName);
                }
            }
            assertEquals(a.metadata().get(dev.panamax.train.Checkpoint.STEP_KEY),
                    b.metadata().get(dev.panamax.train.Checkpoint.STEP_KEY));
        }
    }

    /**
     * The whole session (epochs, evaluation, checkpoints, resume) on an asynchronous backend: the
     * simd backend with every call held back until synchronize() ({@link DeferredBackend}), so any host
     * read of model, graph or optimizer memory that does not wait first sees stale values. Its
     * checkpoints and metrics must equal those of simd run eagerly, bit for bit, straight and resumed.
     */
    @Test
    void aSessionOnAnAsynchronousBackendEqualsTheEagerOneAndResumesExactly(@TempDir Path tmp) throws IOException {
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 32, 10}, Activation.RELU, Loss.CROSS_ENTROPY);
        OptimizerSpec opt = OptimizerSpec.parse("rmsprop(lr=0.001, momentum=0.5)");
        Path eager = tmp.resolve("eager");
        Path deferred = tmp.resolve("deferred");
        Path resumed = tmp.resolve("resumed");
        List<EpochMetrics> eagerHistory;
        try (Compute c = new Compute(new SimdBackend(2));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(2, 100, 5, eager, false))) {
            eagerHistory = s.run(new TrainingSession.Listener() { });
        }
        try (Compute c = new Compute(new DeferredBackend(new SimdBackend(2)));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(2, 100, 5, deferred, false))) {
            List<EpochMetrics> h = s.run(new TrainingSession.Listener() { });
            assertEquals(eagerHistory.size(), h.size());
            for (int i = 0; i < h.size(); i++) {
                assertEquals(eagerHistory.get(i).trainLoss(), h.get(i).trainLoss(), 0.0, "train loss, epoch " + (i + 1));
                assertEquals(eagerHistory.get(i).testLoss(), h.get(i).testLoss(), 0.0, "test loss, epoch " + (i + 1));
                assertEquals(eagerHistory.get(i).testAccuracy(), h.get(i).testAccuracy(), 0.0, "test accuracy, epoch " + (i + 1));
            }
        }
        try (Compute c = new Compute(new DeferredBackend(new SimdBackend(2)));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(1, 100, 5, resumed, false))) {
            s.run(new TrainingSession.Listener() { });
        }
        try (Compute c = new Compute(new DeferredBackend(new SimdBackend(2)));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(2, 100, 5, resumed, true))) {
            s.run(new TrainingSession.Listener() { });
        }
        assertSameCheckpoint(eager, deferred, "deferred");
        assertSameCheckpoint(eager, resumed, "deferred, resumed after epoch 1");
    }

    private static void assertSameCheckpoint(Path expectedDir, Path actualDir, String what) throws IOException {
        try (SafetensorsReader a = SafetensorsReader.open(expectedDir.resolve(TrainingSession.CHECKPOINT));
             SafetensorsReader b = SafetensorsReader.open(actualDir.resolve(TrainingSession.CHECKPOINT))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                assertArrayEquals(a.readFloats(name), b.readFloats(name), name + " (" + what + ")");
            }
        }
    }

    /**
     * A model that is not finite at the end of an epoch is never checkpointed: the last step's update
     * can break it after the loss was checked. Here a weight is made NaN after epoch 2's last step; the
     * run stops naming it, epoch 1's checkpoint stays, and a resume from it completes the run.
     */
    @Test
    void aDivergedEpochKeepsTheLastFiniteCheckpointAndTheRunResumes(@TempDir Path tmp) throws IOException {
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 16, 10}, Activation.RELU, Loss.CROSS_ENTROPY);
        OptimizerSpec opt = OptimizerSpec.parse("sgd(lr=0.1)");
        byte[] epochOne;
        try (Compute c = new Compute(Backends.create("scalar", 1));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(3, 500, 1, tmp, false))) {
            byte[][] kept = new byte[1][];
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> s.run(new TrainingSession.Listener() {
                @Override
                public void batch(int epoch, long done, long total, double loss, double accuracy) {
                    if (epoch == 2 && done == total) {
                        s.model().namedParameters().get("2.weight").value().set(13, Float.NaN);
                    }
                }

                @Override
                public void epoch(EpochMetrics m, Path checkpoint) {
                    try {
                        kept[0] = Files.readAllBytes(checkpoint);
                    } catch (IOException io) {
                        throw new java.io.UncheckedIOException(io);
                    }
                }
            }));
            assertTrue(e.getMessage().contains("epoch 2 diverged: parameter 2.weight[0, 13] = NaN is not finite")
                    && e.getMessage().contains("the checkpoint of epoch 1 in " + tmp + " is kept"), e.getMessage());
            epochOne = kept[0];
        }
        assertArrayEquals(epochOne, Files.readAllBytes(tmp.resolve(TrainingSession.CHECKPOINT)), "epoch 1's checkpoint, untouched");
        try (Compute c = new Compute(Backends.create("scalar", 1));
             TrainingSession s = new TrainingSession(spec, opt, c, slice(), new TrainingSession.Options(3, 500, 1, tmp, true))) {
            assertEquals(2, s.nextEpoch());
            assertEquals(3, s.run(new TrainingSession.Listener() { }).size());
        }
    }

    /** The epoch count a checkpoint claims decides how many epochs a resume trains: a negative one is refused. */
    @Test
    void aCheckpointClaimingANegativeEpochIsRefused(@TempDir Path tmp) throws IOException {
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 16, 10}, Activation.RELU, Loss.CROSS_ENTROPY);
        OptimizerSpec sgd = OptimizerSpec.parse("sgd(lr=0.1)");
        try (Compute c = new Compute(Backends.create("scalar", 1));
             TrainingSession s = new TrainingSession(spec, sgd, c, slice(), new TrainingSession.Options(1, 500, 1, tmp, false))) {
            s.run(new TrainingSession.Listener() { });
        }
        Path file = tmp.resolve(TrainingSession.CHECKPOINT);
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            w.metadata(r.metadata()).metadata("epoch", "-1000000000");
            for (String name : r.names()) {
                w.addF32(name, r.readFloats(name), r.shape(name));
            }
        }
        w.write(file);
        try (Compute c = new Compute(Backends.create("scalar", 1))) {
            var e = assertThrows(IOException.class, () -> new TrainingSession(spec, sgd, c, slice(),
                    new TrainingSession.Options(2, 500, 1, tmp, true)));
            assertTrue(e.getMessage().contains("metadata 'epoch' or 'metrics_csv' is malformed (epoch = -1000000000 is not"
                    + " a count of epochs done)"), e.getMessage());
        }
    }

    @Test
    void resumeWithOtherSettingsIsRefusedAndChangesNothing(@TempDir Path tmp) throws IOException {
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 16, 10}, Activation.RELU, Loss.CROSS_ENTROPY);
        try (Compute c = new Compute(Backends.create("scalar", 1));
             TrainingSession s = new TrainingSession(spec, OptimizerSpec.parse("sgd(lr=0.1)"), c, slice(),
                     new TrainingSession.Options(1, 500, 1, tmp, false))) {
            s.run(new TrainingSession.Listener() { });
        }
        byte[] before = Files.readAllBytes(tmp.resolve(TrainingSession.CHECKPOINT));
        ModelSpec standardised = new ModelSpec(spec.sizes(), spec.activation(), spec.loss(), 0.25, 0.5);
        try (Compute c = new Compute(Backends.create("scalar", 1))) {
            var e = assertThrows(IOException.class, () -> new TrainingSession(standardised, OptimizerSpec.parse("sgd(lr=0.1)"),
                    c, slice(), new TrainingSession.Options(2, 500, 1, tmp, true)));
            assertTrue(e.getMessage().contains("input standardisation none vs requested mean 0.25, std 0.5"), e.getMessage());
        }
        try (Compute c = new Compute(Backends.create("scalar", 1))) {
            var e = assertThrows(IOException.class, () -> new TrainingSession(spec,
                    OptimizerSpec.parse("sgd(lr=0.2)"), c, slice(), new TrainingSession.Options(2, 500, 1, tmp, true)));
            assertTrue(e.getMessage().contains("optimizer_spec"), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve(TrainingSession.CHECKPOINT)));
    }
}
