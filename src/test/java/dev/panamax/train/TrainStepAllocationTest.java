package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.TestBackends;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No garbage per training step. Like every *AllocationTest it runs in a JVM of its own (a separate
 * Surefire execution in pom.xml): other tests call the kernels with other arguments first, and the JIT
 * may then keep a kernel in less optimised code that boxes vectors, which says nothing about training.
 */
class TrainStepAllocationTest {
    private static final int FEATURES = Blobs.FEATURES;
    private static final int CLASSES = Blobs.CLASSES;

    /**
     * A training step in steady state allocates nothing, on every backend, for each loss (each with another
     * activation) with a stateful optimizer, including the smaller last batch. Counted over all threads of
     * the JVM (the GEMM pool's workers included).
     *
     * <p>Steady state is reached when the JIT has compiled every kernel with C2; before that the Vector
     * API's fallback code boxes vectors. The JVM runs with -Xbatch, so each compilation finishes before
     * the step goes on; the step is measured in rounds of {@value #ROUND_STEPS} until a round allocates
     * under 16 bytes per step (a single boxed value or view per step costs 16 bytes or more), for at most
     * {@value #MAX_ROUNDS} rounds: a step that keeps allocating once compiled never passes, and a
     * one-off allocation of more than 16 B x {@value #ROUND_STEPS} fails its round, not the test.
     */
    private static final int ROUND_STEPS = 2_000;
    private static final int MAX_ROUNDS = 100;

    @Test
    void smallerLastBatchAndSteadyStateAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<String> offenders = new ArrayList<>();
        Activation[] activations = {Activation.RELU, Activation.TANH, Activation.SIGMOID};
        for (String name : loadableNames()) {
            for (Loss loss : Loss.values()) {
                Activation act = activations[loss.ordinal() % activations.length];
                try (Compute compute = new Compute(Backends.create(name, 2));
                     Arena arena = Arena.ofShared();
                     Mlp mlp = Mlp.create(new int[] {FEATURES, 40, CLASSES}, act, 5);
                     Optimizer opt = OptimizerSpec.parse("adam(lr=0.01,amsgrad=true)").create(Parameter.of(mlp), compute);
                     Trainer trainer = new Trainer(mlp, loss, opt, compute, FEATURES, CLASSES)) {
                    Tensor x = Tensor.allocate(arena, 40, FEATURES);
                    Tensor y = Tensor.allocate(arena, 40);
                    Blobs.fill(x, y, 1);
                    Tensor full = x.rows(0, 32);
                    Tensor fullY = y.rows(0, 32);
                    Tensor last = x.rows(32, 8);
                    Tensor lastY = y.rows(32, 8);
                    long perStep = Long.MAX_VALUE;
                    for (int round = 0; round < MAX_ROUNDS && perStep >= 16; round++) {
                        long before = totalAllocated(threads);
                        for (int i = 0; i < ROUND_STEPS / 2; i++) {
                            trainer.trainStep(full, fullY);
                            trainer.trainStep(last, lastY);
                        }
                        perStep = (totalAllocated(threads) - before) / ROUND_STEPS;
                    }
                    if (perStep >= 16) {
                        offenders.add(name + "/" + loss.label() + "/" + act.label() + ": " + perStep + " B/step");
                    }
                    assertTrue(Float.isFinite(trainer.lastLoss()));
                }
            }
        }
        assertTrue(offenders.isEmpty(), "steady-state training allocates: " + offenders);
    }

    /**
     * The same at the real model's shapes, 784-256-10 at batch 128 (plus a last batch of 72), where the
     * GEMMs take their packed, transposing, multi-threaded paths: a mask made per packing call once cost
     * 36 KB per step there while the small model above allocated nothing. Rounds of 200 steps, at most
     * 75, the same 16 B/step bound.
     */
    @Test
    void theMnistModelAllocatesNothingPerStep() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<String> offenders = new ArrayList<>();
        for (String name : loadableNames()) {
            if (name.equals("scalar")) {
                continue; // too slow for thousands of steps of this model; its kernels are plain loops
            }
            try (Compute compute = new Compute(Backends.create(name, 2));
                 Arena arena = Arena.ofShared();
                 Mlp mlp = Mlp.create(new int[] {784, 256, 10}, Activation.RELU, 5);
                 Optimizer opt = OptimizerSpec.parse("sgd(lr=0.01,momentum=0.9)").create(Parameter.of(mlp), compute);
                 Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, opt, compute, 784, 10)) {
                Tensor x = Tensor.allocate(arena, 200, 784);
                Tensor y = Tensor.allocate(arena, 200);
                SplittableRandom rng = new SplittableRandom(3);
                for (long i = 0; i < x.size(); i++) {
                    x.set(i, (float) rng.nextDouble());
                }
                for (int i = 0; i < 200; i++) {
                    y.set(i, i % 10);
                }
                Tensor full = x.rows(0, 128);
                Tensor fullY = y.rows(0, 128);
                Tensor last = x.rows(128, 72);
                Tensor lastY = y.rows(128, 72);
                long perStep = Long.MAX_VALUE;
                for (int round = 0; round < 75 && perStep >= 16; round++) {
                    long before = totalAllocated(threads);
                    for (int i = 0; i < 100; i++) {
                        trainer.trainStep(full, fullY);
                        trainer.trainStep(last, lastY);
                    }
                    perStep = (totalAllocated(threads) - before) / 200;
                }
                if (perStep >= 16) {
                    offenders.add(name + ": " + perStep + " B/step");
                }
            }
        }
        assertTrue(offenders.isEmpty(), "steady-state training of 784-256-10 allocates: " + offenders);
    }

    private static long totalAllocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long b = threads.getThreadAllocatedBytes(id);
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }

    /** The names of the backends under test that load here (each probe closed again: the tests create their own). */
    private static List<String> loadableNames() {
        List<Backend> probes = TestBackends.available(1);
        List<String> names = probes.stream().map(Backend::name).toList();
        probes.forEach(Backend::close);
        return names;
    }
}
