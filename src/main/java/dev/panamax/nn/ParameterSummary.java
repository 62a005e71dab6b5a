package dev.panamax.nn;

import dev.panamax.autograd.Variable;

import java.util.Arrays;
import java.util.Map;

/** The table of a model's parameters: name, shape, element count, and the total. */
public final class ParameterSummary {
    private ParameterSummary() {
    }

    /**
     * The number of parameter elements.
     *
     * @param module the model
     * @return the sum of every parameter's element count
     */
    public static long totalCount(Module module) {
        long total = 0;
        for (Variable p : module.namedParameters().values()) {
            total += p.value().size();
        }
        return total;
    }

    /**
     * A fixed-width text table, one parameter a row, then the total.
     *
     * @param module the model
     * @return the table, columns parameter, shape and count, each line ending in the platform's line separator
     */
    public static String table(Module module) {
        Map<String, Variable> params = module.namedParameters();
        int nameWidth = "parameter".length();
        int shapeWidth = "shape".length();
        for (Map.Entry<String, Variable> e : params.entrySet()) {
            nameWidth = Math.max(nameWidth, e.getKey().length());
            shapeWidth = Math.max(shapeWidth, shape(e.getValue()).length());
        }
        String row = "%-" + nameWidth + "s  %-" + shapeWidth + "s  %,12d%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-" + nameWidth + "s  %-" + shapeWidth + "s  %12s%n", "parameter", "shape", "count"));
        for (Map.Entry<String, Variable> e : params.entrySet()) {
            sb.append(String.format(row, e.getKey(), shape(e.getValue()), e.getValue().value().size()));
        }
        sb.append(String.format(row, "total", "", totalCount(module)));
        return sb.toString();
    }

    private static String shape(Variable v) {
        return Arrays.toString(v.value().shape());
    }
}
