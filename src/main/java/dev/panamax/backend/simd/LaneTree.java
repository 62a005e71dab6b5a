package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static dev.panamax.backend.simd.GemmBlocking.L;

/**
 * A vector's lanes added as a tree in a fixed order, in registers: lanes i and i ^ (L/2) first, then i ^ (L/4),
 * down to i ^ 1; lane 0 then holds the sum (for 8 lanes ((d0 + d4) + (d2 + d6)) + ((d1 + d5) + (d3 + d7))).
 * Not reduceLanes, whose order of float additions is not specified.
 */
final class LaneTree {
    private static final VectorSpecies<Float> F = GemmBlocking.F;
    /** Lane i to lane i ^ 8 (null below 16 lanes), i ^ 4 (null below 8), i ^ 2, i ^ 1. */
    private static final VectorShuffle<Float> XOR8 = L >= 16 ? VectorShuffle.fromOp(F, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> XOR4 = L >= 8 ? VectorShuffle.fromOp(F, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    private LaneTree() {
    }

    /** The sum of the L floats of {@code s} from {@code from}, added as the class doc says. */
    static float sum(float[] s, int from) {
        FloatVector d = FloatVector.fromArray(F, s, from);
        if (L >= 16) {
            d = d.add(d.rearrange(XOR8));
        }
        if (L >= 8) {
            d = d.add(d.rearrange(XOR4));
        }
        d = d.add(d.rearrange(XOR2));
        d = d.add(d.rearrange(XOR1));
        return d.lane(0);
    }
}
