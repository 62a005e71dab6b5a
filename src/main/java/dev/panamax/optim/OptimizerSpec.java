package dev.panamax.optim;

import dev.panamax.backend.Compute;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An optimizer written as text, for command lines and configuration files, with PyTorch's names:
 *
 * <pre>
 * sgd(lr=0.05, momentum=0.9, nesterov=true)
 * rmsprop(lr=0.01, centered=true)
 * adam(lr=1e-3, betas=0.9:0.999)        betas also as (0.9,0.999)
 * adagrad                               no parentheses: every default
 * </pre>
 *
 * Grammar: {@code name [ "(" [ key "=" value { "," key "=" value } ] ")" ]}, whitespace allowed between
 * tokens. Names are case-insensitive: sgd, momentum (SGD with momentum 0.9 by default), nesterov and
 * nag (SGD with momentum 0.9 and nesterov=true by default), adagrad, adadelta, rmsprop, adam, adamw.
 * Values are decimal numbers ({@code 0.1}, {@code 1e-8}), {@code true}/{@code false}, and for betas two
 * numbers {@code beta1:beta2} or {@code (beta1,beta2)}. Missing hyperparameters take PyTorch's defaults,
 * except SGD's lr, which PyTorch requires too.
 *
 * <p>Every problem - unknown name or hyperparameter, a key given twice, a malformed or out-of-range
 * value - is an {@link IllegalArgumentException} that quotes the spec and lists the valid names.
 */
public final class OptimizerSpec {

    private enum Type { NUMBER, BOOLEAN, BETAS }

    /** One hyperparameter: its torch name, its type and its default (null = required). */
    private record Hyper(String name, Type type, Object defaultValue) {
    }

    private record Kind(String name, List<Hyper> hypers, Function<Map<String, Object>, OptimizerConfig> build) {
        Hyper hyper(String key) {
            for (Hyper h : hypers) {
                if (h.name().equals(key)) {
                    return h;
                }
            }
            return null;
        }

        String hyperNames() {
            return hypers.stream().map(Hyper::name).collect(Collectors.joining(", "));
        }
    }

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private static final List<Kind> KINDS = List.of(
            sgd("sgd", 0.0, false),
            sgd("momentum", 0.9, false),
            sgd("nesterov", 0.9, true),
            sgd("nag", 0.9, true),
            new Kind("adagrad", List.of(number("lr", 0.01), number("lr_decay", 0.0), number("weight_decay", 0.0),
                    number("initial_accumulator_value", 0.0), number("eps", 1e-10)),
                    v -> new Adagrad.Config(num(v, "lr"), num(v, "lr_decay"), num(v, "weight_decay"),
                            num(v, "initial_accumulator_value"), num(v, "eps"))),
            new Kind("adadelta", List.of(number("lr", 1.0), number("rho", 0.9), number("eps", 1e-6),
                    number("weight_decay", 0.0)),
                    v -> new Adadelta.Config(num(v, "lr"), num(v, "rho"), num(v, "eps"), num(v, "weight_decay"))),
            new Kind("rmsprop", List.of(number("lr", 0.01), number("alpha", 0.99), number("eps", 1e-8),
                    number("weight_decay", 0.0), number("momentum", 0.0), bool("centered", false)),
                    v -> new RMSprop.Config(num(v, "lr"), num(v, "alpha"), num(v, "eps"), num(v, "weight_decay"),
                            num(v, "momentum"), (Boolean) v.get("centered"))),
            new Kind("adam", adamHypers(0.0),
                    v -> new Adam.Config(num(v, "lr"), betas(v)[0], betas(v)[1], num(v, "eps"),
                            num(v, "weight_decay"), (Boolean) v.get("amsgrad"))),
            new Kind("adamw", adamHypers(1e-2),
                    v -> new AdamW.Config(num(v, "lr"), betas(v)[0], betas(v)[1], num(v, "eps"),
                            num(v, "weight_decay"), (Boolean) v.get("amsgrad"))));

    private static Kind sgd(String name, double momentum, boolean nesterov) {
        return new Kind(name, List.of(new Hyper("lr", Type.NUMBER, null), number("momentum", momentum),
                number("dampening", 0.0), bool("nesterov", nesterov), number("weight_decay", 0.0)),
                v -> new SGD.Config(num(v, "lr"), num(v, "momentum"), num(v, "dampening"), (Boolean) v.get("nesterov"),
                        num(v, "weight_decay")));
    }

    private static List<Hyper> adamHypers(double weightDecay) {
        return List.of(number("lr", 1e-3), new Hyper("betas", Type.BETAS, new double[] {0.9, 0.999}),
                number("eps", 1e-8), number("weight_decay", weightDecay), bool("amsgrad", false));
    }

    private static Hyper number(String name, double value) {
        return new Hyper(name, Type.NUMBER, value);
    }

    private static Hyper bool(String name, boolean value) {
        return new Hyper(name, Type.BOOLEAN, value);
    }

    private static double num(Map<String, Object> v, String key) {
        return (Double) v.get(key);
    }

    private static double[] betas(Map<String, Object> v) {
        return (double[]) v.get("betas");
    }

    private final Kind kind;
    private final Map<String, Object> values;
    private final OptimizerConfig config;

    private OptimizerSpec(Kind kind, Map<String, Object> values, OptimizerConfig config) {
        this.kind = kind;
        this.values = values;
        this.config = config;
    }

    /**
     * Every optimizer name a spec may start with.
     *
     * @return the lower-case names: sgd, momentum, nesterov, nag, adagrad, ...
     */
    public static List<String> names() {
        return KINDS.stream().map(Kind::name).toList();
    }

    /**
     * The hyperparameter names {@code optimizer} accepts, in canonical order.
     *
     * @param optimizer an optimizer name from {@link #names()}, in any case
     * @return PyTorch's hyperparameter names, e.g. lr, momentum, dampening, nesterov, weight_decay
     * @throws IllegalArgumentException if no optimizer has that name
     */
    public static List<String> hyperparameterNames(String optimizer) {
        return kind(optimizer, optimizer).hypers().stream().map(Hyper::name).toList();
    }

    /**
     * Parses and validates {@code spec}; see the class comment for the syntax.
     *
     * @param spec the text, e.g. {@code adam(lr=1e-3)}
     * @return the parsed spec, every hyperparameter valid
     * @throws IllegalArgumentException quoting the spec, if it is null, malformed, names an unknown optimizer
     *         or hyperparameter, repeats a key, lacks SGD's lr or holds an out-of-range value
     */
    public static OptimizerSpec parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("optimizer spec must not be null (valid names: " + validNames() + ")");
        }
        Scanner in = new Scanner(spec);
        String name = in.word();
        if (name.isEmpty()) {
            throw in.error("expected an optimizer name (valid: " + validNames() + ")");
        }
        Kind kind = kind(name, spec);
        Map<String, Object> given = new LinkedHashMap<>();
        if (in.take('(')) {
            if (!in.take(')')) {
                do {
                    String key = in.word().toLowerCase(Locale.ROOT);
                    Hyper h = kind.hyper(key);
                    if (h == null) {
                        throw in.error((key.isEmpty() ? "expected a hyperparameter name"
                                : "unknown hyperparameter '" + key + "' for " + kind.name())
                                + " (valid: " + kind.hyperNames() + ")");
                    }
                    if (given.containsKey(key)) {
                        throw in.error("hyperparameter '" + key + "' is given twice");
                    }
                    in.expect('=', "'=' after '" + key + "'");
                    given.put(key, value(in, kind, h));
                } while (in.take(','));
                in.expect(')', "',' or ')'");
            }
        }
        in.expectEnd();

        Map<String, Object> values = new LinkedHashMap<>();
        for (Hyper h : kind.hypers()) {
            Object v = given.containsKey(h.name()) ? given.get(h.name()) : h.defaultValue();
            if (v == null) {
                throw new IllegalArgumentException("optimizer spec '" + spec + "': " + kind.name() + " needs "
                        + h.name() + " (no default in PyTorch either), e.g. " + kind.name() + "(" + h.name() + "=0.1)");
            }
            values.put(h.name(), v);
        }
        OptimizerConfig config = kind.build().apply(values);
        try {
            config.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("optimizer spec '" + spec + "': " + e.getMessage(), e);
        }
        return new OptimizerSpec(kind, values, config);
    }

    private static Kind kind(String name, String spec) {
        String key = name.toLowerCase(Locale.ROOT).strip();
        for (Kind k : KINDS) {
            if (k.name().equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("optimizer spec '" + spec + "': unknown optimizer '" + name + "' (valid: "
                + validNames() + ")");
    }

    private static String validNames() {
        return String.join(", ", names());
    }

    private static Object value(Scanner in, Kind kind, Hyper h) {
        String what = h.name() + " of " + kind.name();
        return switch (h.type()) {
            case NUMBER -> number(in, what, in.token());
            case BOOLEAN -> {
                String t = in.token();
                if (t.equalsIgnoreCase("true")) {
                    yield Boolean.TRUE;
                }
                if (t.equalsIgnoreCase("false")) {
                    yield Boolean.FALSE;
                }
                throw in.error(what + " must be true or false, got '" + t + "'");
            }
            case BETAS -> {
                String first;
                String second;
                if (in.take('(')) {
                    first = in.token();
                    in.expect(',', "',' between the two betas");
                    second = in.token();
                    in.expect(')', "')' after the two betas");
                } else {
                    String t = in.token();
                    int colon = t.indexOf(':');
                    if (colon < 0) {
                        throw in.error(what + " must be two numbers, written beta1:beta2 or (beta1,beta2), got '"
                                + t + "'");
                    }
                    first = t.substring(0, colon).strip();
                    second = t.substring(colon + 1).strip();
                }
                yield new double[] {number(in, "beta1 of " + kind.name(), first),
                        number(in, "beta2 of " + kind.name(), second)};
            }
        };
    }

    private static double number(Scanner in, String what, String text) {
        if (!DECIMAL.matcher(text).matches()) {
            throw in.error(what + " must be a decimal number, got '" + text + "'");
        }
        return Double.parseDouble(text);
    }

    /**
     * PyTorch's class name of the optimizer this spec builds.
     *
     * @return SGD, Adagrad, Adadelta, RMSprop, Adam or AdamW
     */
    public String optimizerName() {
        return config.optimizerName();
    }

    /**
     * The validated hyperparameters, defaults filled in.
     *
     * @return the config, one of the optimizers' {@code Config} records
     */
    public OptimizerConfig config() {
        return config;
    }

    /**
     * The value of the numeric hyperparameter {@code name} (defaults filled in), or empty when this optimizer has none.
     *
     * @param name PyTorch's name of the hyperparameter, e.g. {@code lr}
     * @return its value, or empty when it is not a numeric hyperparameter of this optimizer
     */
    public java.util.OptionalDouble number(String name) {
        Object v = values.get(name);
        return v instanceof Double d ? java.util.OptionalDouble.of(d) : java.util.OptionalDouble.empty();
    }

    /**
     * A new optimizer over {@code parameters}.
     *
     * @param parameters the parameters to update, at least one, names unique
     * @param compute    the kernels the updates run on; not owned
     * @return the optimizer, owned by the caller (close it to free its state)
     * @throws IllegalArgumentException if the parameters are empty or repeat a name
     */
    public Optimizer create(List<Parameter> parameters, Compute compute) {
        return config.create(parameters, compute);
    }

    /** The spec with every hyperparameter spelled out; {@link #parse} reads it back to the same config. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(",", kind.name() + "(", ")");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            out.add(e.getKey() + "=" + (v instanceof double[] b ? b[0] + ":" + b[1] : v.toString()));
        }
        return out.toString();
    }

    /** Cursor over the spec text; errors quote the spec and the column. */
    private static final class Scanner {
        private final String text;
        private int pos;

        Scanner(String text) {
            this.text = text;
        }

        /** Letters, digits and underscores after optional whitespace (possibly empty). */
        String word() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            return text.substring(start, pos);
        }

        /** A value: everything up to the next ',', '(' or ')', trimmed. */
        String token() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && ",()".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            return text.substring(start, pos).strip();
        }

        boolean take(char c) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c, String what) {
            if (!take(c)) {
                throw error("expected " + what + ", found " + found());
            }
        }

        void expectEnd() {
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected " + found() + " after the end of the spec");
            }
        }

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException("optimizer spec '" + text + "' at column " + (pos + 1) + ": " + message);
        }

        private String found() {
            return pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end of the spec";
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
