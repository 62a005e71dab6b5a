package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.io.SafetensorsWriter;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** State exposure, checkpoint save/restore through safetensors, parameter handling, zero garbage per step. */
class OptimizerStateTest {
    private static final String[] SPECS = {
            "sgd(lr=0.1)", "nesterov(lr=0.05,weight_decay=0.01)", "sgd(lr=0.05,momentum=0.9,dampening=0.1)",
            "adagrad(lr_decay=0.05,initial_accumulator_value=0.1)", "adadelta(weight_decay=0.01)",
            "rmsprop(momentum=0.9,centered=true,weight_decay=0.01)", "adam(amsgrad=true,weight_decay=0.01)", "adamw"};

    @TempDir
    Path dir;

    private final Compute compute = new Compute(new ScalarBackend());

    /** Two parameters of different shapes, gradients drawn from a fixed seed. */
    private static List<Parameter> model(Arena arena, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor w = Tensor.allocate(arena, 3, 4);
        Tensor b = Tensor.allocate(arena, 4);
        for (long i = 0; i < w.size(); i++) {
            w.set(i, (float) r.nextGaussian());
        }
        for (long i = 0; i < b.size(); i++) {
            b.set(i, (float) r.nextGaussian());
        }
        return List.of(new Parameter("fc.weight", w, Tensor.allocate(arena, 3, 4)),
                new Parameter("fc.bias", b, Tensor.allocate(arena, 4)));
    }

    private static void randomGradients(List<Parameter> params, SplittableRandom r) {
        for (Parameter p : params) {
            for (long i = 0; i < p.grad().size(); i++) {
                p.grad().set(i, (float) r.nextGaussian());
            }
        }
    }

    @Test
    void checkpointRoundTripResumesBitForBit() throws IOException {
        for (String spec : SPECS) {
            try (Arena arena = Arena.ofConfined()) {
                List<Parameter> a = model(arena, 7);
                List<Parameter> b = model(arena, 7);
                SplittableRandom gradsA = new SplittableRandom(99);
                try (Optimizer optA = OptimizerSpec.parse(spec).create(a, compute)) {
                    for (int t = 0; t < 5; t++) {
                        randomGradients(a, gradsA);
                        optA.step();
                    }
                    // checkpoint: parameters, optimizer state, step count
                    Path file = dir.resolve("ckpt.safetensors");
                    SafetensorsWriter w = new SafetensorsWriter().metadata("optimizer.step", "" + optA.stepCount());
                    for (Parameter p : a) {
                        w.addF32("param." + p.name(), p.value());
                    }
                    optA.state().forEach((k, v) -> w.addF32("optim." + k, v));
                    w.write(file);

                    try (Optimizer optB = OptimizerSpec.parse(spec).create(b, compute);
                         SafetensorsReader r = SafetensorsReader.open(file)) {
                        for (Parameter p : b) {
                            r.readF32Into("param." + p.name(), p.value());
                        }
                        Map<String, Tensor> saved = new HashMap<>();
                        for (String name : r.names()) {
                            if (name.startsWith("optim.")) {
                                saved.put(name.substring("optim.".length()), r.readF32(name, arena));
                            }
                        }
                        optB.loadState(saved, Long.parseLong(r.metadata().get("optimizer.step")));
                        assertEquals(5, optB.stepCount());

                        SplittableRandom gradsContinueA = new SplittableRandom(123);
                        SplittableRandom gradsB = new SplittableRandom(123);
                        for (int t = 0; t < 5; t++) {
                            randomGradients(a, gradsContinueA);
                            randomGradients(b, gradsB);
                            optA.step();
                            optB.step();
                        }
                        for (int i = 0; i < a.size(); i++) {
                            assertBitsEqual(spec + " " + a.get(i).name(), a.get(i).value(), b.get(i).value());
                        }
                        for (String k : optA.state().keySet()) {
                            assertBitsEqual(spec + " " + k, optA.state().get(k), optB.state().get(k));
                        }
                    }
                }
            }
        }
    }

    @Test
    void stateKeysAreParameterNameDotTorchKey() {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> params = model(arena, 1);
            try (Optimizer sgd = OptimizerSpec.parse("sgd(lr=0.1)").create(params, compute);
                 Optimizer mom = OptimizerSpec.parse("momentum(lr=0.1)").create(params, compute);
                 Optimizer rms = OptimizerSpec.parse("rmsprop(momentum=0.9,centered=true)").create(params, compute);
                 Optimizer ams = OptimizerSpec.parse("adam(amsgrad=true)").create(params, compute);
                 Optimizer ada = OptimizerSpec.parse("adagrad(initial_accumulator_value=0.5)").create(params, compute)) {
                assertEquals(List.of(), List.copyOf(sgd.state().keySet()));
                assertEquals(List.of("fc.weight.momentum_buffer", "fc.bias.momentum_buffer"),
                        List.copyOf(mom.state().keySet()));
                assertEquals(List.of("fc.weight.square_avg", "fc.bias.square_avg", "fc.weight.momentum_buffer",
                        "fc.bias.momentum_buffer", "fc.weight.grad_avg", "fc.bias.grad_avg"),
                        List.copyOf(rms.state().keySet()));
                assertEquals(List.of("fc.weight.exp_avg", "fc.bias.exp_avg", "fc.weight.exp_avg_sq",
                        "fc.bias.exp_avg_sq", "fc.weight.max_exp_avg_sq", "fc.bias.max_exp_avg_sq"),
                        List.copyOf(ams.state().keySet()));
                assertArrayEquals(new int[] {3, 4}, ams.state().get("fc.weight.exp_avg").shape());
                assertEquals(0.5f, ada.state().get("fc.bias.sum").get(3));
                assertThrows(UnsupportedOperationException.class, () -> ams.state().clear());
            }
        }
    }

    @Test
    void loadStateRejectsIncompleteOrForeignState() {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> params = model(arena, 1);
            try (Optimizer opt = OptimizerSpec.parse("momentum(lr=0.1)").create(params, compute)) {
                Map<String, Tensor> ok = new HashMap<>();
                ok.put("fc.weight.momentum_buffer", Tensor.allocate(arena, 3, 4).fill(1f));
                ok.put("fc.bias.momentum_buffer", Tensor.allocate(arena, 4).fill(2f));

                Map<String, Tensor> missing = new HashMap<>(ok);
                missing.remove("fc.bias.momentum_buffer");
                message(() -> opt.loadState(missing, 3), "state is missing [fc.bias.momentum_buffer]");
                Map<String, Tensor> extra = new HashMap<>(ok);
                extra.put("fc.bias.exp_avg", Tensor.allocate(arena, 4));
                message(() -> opt.loadState(extra, 3), "unknown state keys [fc.bias.exp_avg]");
                Map<String, Tensor> badShape = new HashMap<>(ok);
                badShape.put("fc.weight.momentum_buffer", Tensor.allocate(arena, 4, 3));
                message(() -> opt.loadState(badShape, 3), "fc.weight.momentum_buffer has shape [4, 3], expected [3, 4]");
                message(() -> opt.loadState(ok, -1), "step count must be >= 0");
                assertEquals(0, opt.stepCount(), "a failed load changes nothing");
                assertEquals(0f, opt.state().get("fc.bias.momentum_buffer").get(0));

                opt.loadState(ok, 3);
                assertEquals(3, opt.stepCount());
                assertEquals(2f, opt.state().get("fc.bias.momentum_buffer").get(0));
            }
        }
    }

    @Test
    void parametersAreCheckedAtConstruction() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor v = Tensor.allocate(arena, 2, 2);
            message(() -> new Parameter("w", v, Tensor.allocate(arena, 4)), "parameter w: grad [4] must have the shape");
            Parameter p = new Parameter("w", v, Tensor.allocate(arena, 2, 2));
            message(() -> new SGD(List.of(p, p), compute, SGD.Config.lr(0.1)), "parameter name w appears twice");
            message(() -> new Adam(List.of(), compute, Adam.Config.defaults()), "at least one parameter");
            message(() -> new Adam(List.of(p), compute, Adam.Config.defaults().withLr(-1)), "Adam: lr must be >= 0");
            Optimizer closed = new Adam(List.of(p), compute, Adam.Config.defaults());
            closed.close();
            closed.close(); // idempotent
            assertThrows(IllegalStateException.class, closed::step);
        }
    }

    /**
     * A step allocates nothing: after warm-up, 2000 steps of every optimizer must allocate less than
     * 2000 * 16 bytes on this thread, the size of one object per step (a real leak is at least that).
     */
    @Test
    void stepsAllocateNoObjects() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> params = model(arena, 3);
            randomGradients(params, new SplittableRandom(5));
            for (String spec : SPECS) {
                try (Optimizer opt = OptimizerSpec.parse(spec).create(params, compute)) {
                    for (int i = 0; i < 2000; i++) {
                        opt.step();
                    }
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 2000; i++) {
                        opt.step();
                    }
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    assertTrue(allocated < 2000 * 16, spec + ": 2000 steps allocated " + allocated + " bytes");
                }
            }
        }
    }

    private static void assertBitsEqual(String what, Tensor expected, Tensor actual) {
        for (long i = 0; i < expected.size(); i++) {
            assertEquals(Float.floatToRawIntBits(expected.get(i)), Float.floatToRawIntBits(actual.get(i)),
                    what + " element " + i);
        }
    }

    private static void message(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), () -> "message should contain [" + part + "]: " + e.getMessage());
    }
}
