package dev.panamax.nn;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.nn.Sequential}: children applied in order, named "0", "1", ... so that parameter names
 * ("0.weight", "0.bias", "2.weight", ...) match a PyTorch model built the same way.
 */
public class Sequential implements Module {
    private final List<Module> layers;

    /**
     * The children in order; layer i is named {@code "i"}.
     *
     * @param layers the children, copied into an immutable list
     */
    public Sequential(List<Module> layers) {
        this.layers = List.copyOf(layers);
    }

    /**
     * The children in order.
     *
     * @return the layers, unmodifiable
     */
    public List<Module> layers() {
        return layers;
    }

    @Override
    public Variable forward(Graph graph, Variable x) {
        Variable h = x;
        for (Module layer : layers) {
            h = layer.forward(graph, h);
        }
        return h;
    }

    @Override
    public Map<String, Variable> namedParameters() {
        Map<String, Variable> out = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Map.Entry<String, Variable> e : layers.get(i).namedParameters().entrySet()) {
                out.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(\n");
        for (int i = 0; i < layers.size(); i++) {
            sb.append("  (").append(i).append("): ").append(layers.get(i)).append('\n');
        }
        return sb.append(')').toString();
    }
}
