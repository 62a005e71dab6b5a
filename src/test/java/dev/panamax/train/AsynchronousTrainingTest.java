package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.backend.DeferredBackend;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training on an asynchronous backend (what the cuda backend is) gives the eager backend's numbers
 * bit for bit, with one synchronisation per step and no call on host memory besides the batch upload.
 * The asynchronous backend here is {@link DeferredBackend}: the scalar reference, with every call held
 * back until {@code synchronize()}, so a host read that does not wait sees stale memory.
 */
class AsynchronousTrainingTest {
    private static final int FEATURES = 20;
    private static final int HIDDEN = 16;
    private static final int CLASSES = 5;
    private static final int SAMPLES = 96;
    /** 96 = 40 + 40 + 16: a full batch size and a smaller last one, so both recorded graphs replay. */
    private static final int BATCH = 40;
    private static final int EPOCHS = 3;

    private record Run(List<Float> losses, List<Integer> correct, Map<String, float[]> parameters,
                       Map<String, float[]> state, int evalCorrect, float evalLoss, long synchronizations) {
    }

    @Test
    void theStandInReallyDefersSoAMissingSynchronizeIsCaught() {
        DeferredBackend deferred = new DeferredBackend(new ScalarBackend());
        try (Compute compute = new Compute(deferred); Arena arena = Arena.ofConfined()) {
            Tensor x = compute.allocate(arena, 8);
            Tensor y = compute.allocate(arena, 8);
            compute.fill(x, 2f);
            compute.axpy(3f, x, y);
            assertEquals(0f, y.get(5), "the result must not be visible before synchronize()");
            compute.synchronize();
            assertEquals(6f, y.get(5));
            assertEquals(2, deferred.queuedCalls());
            assertEquals(0, deferred.hostCalls());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd(lr=0.1, momentum=0.9, nesterov=true, weight_decay=0.01)", "adam(lr=0.01, amsgrad=true)",
            "adamw(lr=0.01)", "rmsprop(lr=0.01, centered=true, momentum=0.5)", "adagrad(lr=0.05)", "adadelta(lr=1.0)"})
    void crossEntropyTrainingMatchesEagerWithOneSynchronizationPerStep(String optimizer) {
        Run eager = train(new ScalarBackend(), Loss.CROSS_ENTROPY, optimizer);
        DeferredBackend deferred = new DeferredBackend(new ScalarBackend());
        Run async = train(deferred, Loss.CROSS_ENTROPY, optimizer);
        assertSameNumbers(eager, async, optimizer);
        int steps = EPOCHS * 3;
        // one per training step, one for the evaluation step; nothing else waits
        assertEquals(steps + 1, async.synchronizations(), "synchronisations");
        assertEquals(0, deferred.hostCalls(), "calls on host memory (every tensor should live in the backend)");
        assertEquals(0, deferred.lostCalls(), "queued calls whose memory was freed before they ran");
    }

    @ParameterizedTest
    @ValueSource(strings = {"MSE", "GAUSSIAN_NLL"})
    void lossesComputedOnTheHostStillMatchEager(String loss) {
        String optimizer = "sgd(lr=0.05, momentum=0.9)";
        Run eager = train(new ScalarBackend(), Loss.valueOf(loss), optimizer);
        DeferredBackend deferred = new DeferredBackend(new ScalarBackend());
        Run async = train(deferred, Loss.valueOf(loss), optimizer);
        assertSameNumbers(eager, async, loss);
        // these losses run on the host and wait for their inputs: more than one wait per step, still no host-memory calls
        assertTrue(async.synchronizations() > EPOCHS * 3, "synchronisations " + async.synchronizations());
        assertEquals(0, deferred.hostCalls(), "calls on host memory");
        assertEquals(0, deferred.lostCalls(), "queued calls whose memory was freed before they ran");
    }

    @Test
    void aBadLabelIsRejectedOnTheHostBeforeAnyUpload() {
        DeferredBackend deferred = new DeferredBackend(new ScalarBackend());
        try (Compute compute = new Compute(deferred);
             Arena arena = Arena.ofShared();
             Mlp mlp = Mlp.create(new int[] {FEATURES, HIDDEN, CLASSES}, Activation.RELU, 5, compute);
             Optimizer opt = OptimizerSpec.parse("sgd(lr=0.1)").create(Parameter.of(mlp), compute);
             Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, opt, compute, FEATURES, CLASSES)) {
            Tensor x = Tensor.allocate(arena, 4, FEATURES);
            Tensor y = Tensor.of(arena, new float[] {0, 1, 7, 2}, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.trainStep(x, y));
            assertTrue(e.getMessage().contains("label 7.0 at index 2"), e.getMessage());
        }
        assertEquals(0, deferred.lostCalls(), "closing must wait for the calls queued before the error");
    }

    private static void assertSameNumbers(Run expected, Run actual, String what) {
        assertEquals(expected.losses().size(), actual.losses().size());
        for (int i = 0; i < expected.losses().size(); i++) {
            assertEquals(Float.floatToIntBits(expected.losses().get(i)), Float.floatToIntBits(actual.losses().get(i)),
                    what + ": loss of step " + i + " " + expected.losses().get(i) + " vs " + actual.losses().get(i));
        }
        assertEquals(expected.correct(), actual.correct(), what + ": correct per step");
        assertEquals(Float.floatToIntBits(expected.evalLoss()), Float.floatToIntBits(actual.evalLoss()), what + ": eval loss");
        assertEquals(expected.evalCorrect(), actual.evalCorrect(), what + ": eval correct");
        assertEquals(expected.parameters().keySet(), actual.parameters().keySet());
        expected.parameters().forEach((name, values) ->
                assertArrayEquals(values, actual.parameters().get(name), what + ": parameter " + name));
        assertEquals(expected.state().keySet(), actual.state().keySet());
        expected.state().forEach((name, values) ->
                assertArrayEquals(values, actual.state().get(name), what + ": optimizer state " + name));
    }

    /** Three epochs of (40, 40, 16)-sample batches on fixed data, then one evaluation step. */
    private static Run train(dev.panamax.backend.Backend backend, Loss loss, String optimizer) {
        try (Compute compute = new Compute(backend);
             Arena arena = Arena.ofShared();
             Mlp mlp = Mlp.create(new int[] {FEATURES, HIDDEN, CLASSES}, Activation.TANH, 5, compute);
             Optimizer opt = OptimizerSpec.parse(optimizer).create(Parameter.of(mlp), compute);
             Trainer trainer = new Trainer(mlp, loss, opt, compute, FEATURES, CLASSES)) {
            Tensor x = Tensor.allocate(arena, SAMPLES, FEATURES);
            Tensor y = Tensor.allocate(arena, SAMPLES);
            SplittableRandom rng = new SplittableRandom(17);
            for (long i = 0; i < x.size(); i++) {
                x.set(i, (float) rng.nextGaussian());
            }
            for (int i = 0; i < SAMPLES; i++) {
                y.set(i, rng.nextInt(CLASSES));
            }
            List<Float> losses = new ArrayList<>();
            List<Integer> correct = new ArrayList<>();
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                for (int b = 0; b < SAMPLES; b += BATCH) {
                    int n = Math.min(BATCH, SAMPLES - b);
                    losses.add(trainer.trainStep(x.rows(b, n), y.rows(b, n)));
                    correct.add(trainer.lastCorrect());
                }
            }
            float evalLoss = trainer.evalStep(x, y);
            int evalCorrect = trainer.lastCorrect();
            Map<String, float[]> parameters = new java.util.TreeMap<>();
            mlp.namedParameters().forEach((name, v) -> parameters.put(name, v.value().toArray()));
            Map<String, float[]> state = new java.util.TreeMap<>();
            opt.state().forEach((name, t) -> state.put(name, t.toArray()));
            long synchronizations = backend instanceof DeferredBackend d ? d.synchronizations() : 0;
            return new Run(losses, correct, parameters, state, evalCorrect, evalLoss, synchronizations);
        }
    }
}
