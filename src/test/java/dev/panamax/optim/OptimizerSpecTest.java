package dev.panamax.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizerSpecTest {

    @Test
    void parsesEachOptimizerWithPyTorchDefaults() {
        assertEquals(new SGD.Config(0.05, 0.9, 0, true, 0),
                OptimizerSpec.parse("sgd(lr=0.05,momentum=0.9,nesterov=true)").config());
        assertEquals(new RMSprop.Config(0.01, 0.99, 1e-8, 0, 0, true),
                OptimizerSpec.parse("rmsprop(lr=0.01,centered=true)").config());
        assertEquals(new Adam.Config(1e-3, 0.9, 0.999, 1e-8, 0, false),
                OptimizerSpec.parse("adam(lr=1e-3,betas=0.9:0.999)").config());
        assertEquals(Adam.Config.defaults().withBetas(0.8, 0.99),
                OptimizerSpec.parse(" Adam ( betas = ( 0.8 , 0.99 ) ) ").config());
        assertEquals(AdamW.Config.defaults(), OptimizerSpec.parse("adamw").config());
        assertEquals(0.01, ((AdamW.Config) OptimizerSpec.parse("adamw()").config()).weightDecay());
        assertEquals(Adagrad.Config.defaults(), OptimizerSpec.parse("adagrad").config());
        assertEquals(Adadelta.Config.defaults().withRho(0.95), OptimizerSpec.parse("adadelta(rho=0.95)").config());
        assertEquals(RMSprop.Config.defaults(), OptimizerSpec.parse("RMSprop").config());
    }

    @Test
    void aliasesSetMomentumAndNesterov() {
        assertEquals(SGD.Config.lr(0.1).withMomentum(0.9), OptimizerSpec.parse("momentum(lr=0.1)").config());
        assertEquals(SGD.Config.lr(0.1).withMomentum(0.9).withNesterov(true),
                OptimizerSpec.parse("nesterov(lr=0.1)").config());
        assertEquals(SGD.Config.lr(0.1).withMomentum(0.5).withNesterov(true),
                OptimizerSpec.parse("nag(lr=0.1,momentum=0.5)").config());
        assertEquals("SGD", OptimizerSpec.parse("nag(lr=0.1)").optimizerName());
    }

    @Test
    void canonicalTextParsesBackToTheSameConfig() {
        for (String s : new String[] {"sgd(lr=0.05,momentum=0.9,dampening=0.1,weight_decay=1e-4)",
                "nag(lr=0.1)", "adagrad(lr_decay=0.05,initial_accumulator_value=0.1)", "adadelta",
                "rmsprop(momentum=0.9,centered=true,alpha=0.9)", "adam(amsgrad=true,betas=(0.8,0.99))",
                "adamw(weight_decay=0)"}) {
            OptimizerSpec spec = OptimizerSpec.parse(s);
            assertEquals(spec.config(), OptimizerSpec.parse(spec.toString()).config(), s + " -> " + spec);
        }
        assertEquals("adam(lr=0.001,betas=0.9:0.999,eps=1.0E-8,weight_decay=0.0,amsgrad=false)",
                OptimizerSpec.parse("adam").toString());
    }

    @Test
    void unknownNamesListTheValidOnes() {
        problem("adamx(lr=0.1)", "unknown optimizer 'adamx'",
                "valid: sgd, momentum, nesterov, nag, adagrad, adadelta, rmsprop, adam, adamw");
        problem("", "expected an optimizer name", "valid: sgd");
        problem("adam(beta=0.9)", "unknown hyperparameter 'beta' for adam",
                "valid: lr, betas, eps, weight_decay, amsgrad");
        problem("sgd(lr=0.1,centered=true)", "unknown hyperparameter 'centered' for sgd",
                "valid: lr, momentum, dampening, nesterov, weight_decay");
        problem("adam(=1)", "expected a hyperparameter name");
    }

    @Test
    void syntaxErrorsSayWhere() {
        problem("sgd(lr=0.1", "column 11", "expected ',' or ')'");
        problem("sgd(lr 0.1)", "expected '=' after 'lr'");
        problem("sgd(lr=0.1) x", "unexpected 'x' after the end");
        problem("sgd(lr=0.1,lr=0.2)", "hyperparameter 'lr' is given twice");
        problem("sgd(lr=abc)", "lr of sgd must be a decimal number, got 'abc'");
        problem("sgd(lr=)", "lr of sgd must be a decimal number, got ''");
        problem("sgd(lr=NaN)", "must be a decimal number, got 'NaN'");
        problem("sgd(lr=0x10)", "must be a decimal number");
        problem("sgd(lr=0.1,nesterov=yes)", "nesterov of sgd must be true or false, got 'yes'");
        problem("adam(betas=0.9)", "betas of adam must be two numbers, written beta1:beta2 or (beta1,beta2)");
        problem("adam(betas=(0.9;0.99))", "column 21", "expected ',' between the two betas, found ')'");
        problem("adam(betas=0.9:x)", "beta2 of adam must be a decimal number, got 'x'");
    }

    @Test
    void invalidValuesAreRejectedWithTheirName() {
        problem("sgd", "sgd needs lr", "e.g. sgd(lr=0.1)");
        problem("momentum", "momentum needs lr");
        problem("sgd(lr=-0.1)", "SGD: lr must be >= 0, got -0.1");
        problem("sgd(lr=0.1,momentum=-1)", "SGD: momentum must be >= 0");
        problem("sgd(lr=0.1,nesterov=true)", "nesterov requires momentum > 0 and dampening = 0");
        problem("nesterov(lr=0.1,dampening=0.1)", "nesterov requires momentum > 0 and dampening = 0");
        problem("sgd(lr=0.1,weight_decay=-0.01)", "weight_decay must be >= 0");
        problem("adadelta(rho=1.5)", "Adadelta: rho must be in [0.0, 1.0], got 1.5");
        problem("rmsprop(alpha=-0.1)", "RMSprop: alpha must be in [0.0, 1.0]");
        problem("adam(betas=0.9:1)", "Adam: beta2 (betas[1]) must be in [0.0, 1.0), got 1.0");
        problem("adamw(betas=(-0.1,0.9))", "AdamW: beta1 (betas[0]) must be in [0.0, 1.0)");
        problem("adam(eps=-1e-8)", "Adam: eps must be >= 0");
        problem("adagrad(lr_decay=-1)", "Adagrad: lr_decay must be >= 0");
        problem("adagrad(initial_accumulator_value=-1)", "initial_accumulator_value must be >= 0");
        problem("adam(lr=1e999)", "lr must be a finite number");
    }

    @Test
    void hyperparameterNamesAreTorchs() {
        assertEquals(java.util.List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered"),
                OptimizerSpec.hyperparameterNames("rmsprop"));
        problem(() -> OptimizerSpec.hyperparameterNames("lbfgs"), "unknown optimizer 'lbfgs'");
    }

    private static void problem(String spec, String... parts) {
        problem(() -> OptimizerSpec.parse(spec), parts);
    }

    private static void problem(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "message should contain [" + part + "]: " + e.getMessage());
        }
    }
}
