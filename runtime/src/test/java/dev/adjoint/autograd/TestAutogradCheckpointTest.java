package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;
import dev.adjoint.utils.Checkpoint;
import dev.adjoint.utils.Checkpoint.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's {@code TestAutograd} tests of {@code torch.utils.checkpoint}, translated test by test
 * (conventions in {@link TestAutogradGradTest}). {@code checkpoint(fn, *args, use_reentrant=True/False)} is
 * {@code Checkpoint.checkpoint(fn, Mode.REENTRANT / Mode.NON_REENTRANT, args...)}; {@code deepcopy(module)} is
 * the same module built again from a generator with the same seed (identical parameters).
 *
 * <pre>
 * test                                                       status
 * test_checkpointing                                         translated, passes
 * test_checkpointing_without_reentrant (input_requires_grad True, False)  translated, passes (fixed: NON_REENTRANT)
 * test_checkpoint_valid_reset_on_error                       translated, passes
 * test_checkpointing_without_reentrant_detached_tensor (use_reentrant True, False)  translated, passes
 * test_checkpointing_without_reentrant_correct_grad          translated, passes
 * test_checkpointing_without_reentrant_parameter_used_in_an_out  translated, passes
 * test_checkpointing_without_reentrant_arbitrary_input_output translated (a map captured by the lambda), passes
 * test_checkpointing_without_reentrant_custom_function_raises n/a: a 1.13 limitation (saved tensors of a custom
 *                                                            Function unpacked twice); ours recomputes once and allows it
 * test_checkpointing_without_reentrant_dataparallel, _memory_savings, test_checkpointing_non_reentrant_autocast_*
 *                                                            n/a: DataParallel, CUDA memory, autocast
 * test_save_on_cpu_and_checkpoint                            n/a: save_on_cpu (one device)
 * </pre>
 */
class TestAutogradCheckpointTest extends TorchCase {

  private static Sequential proxyNetwork(long seed) {
    Generator g = new Generator(seed);
    int nzInp = 10;
    int nzBottleneck = 1000;
    return new Sequential(new Linear(nzInp, nzBottleneck, true, g, Tensor.DType.FLOAT64), new ReLU(),
        new Linear(nzBottleneck, nzInp, true, g, Tensor.DType.FLOAT64));
  }

  /** test_checkpointing */
  @Test
  void test_checkpointing() {
    int numInp = 2000;
    int nzInp = 10;
    // small proxy network for some complex reasoning we want to do per input
    Sequential module = proxyNetwork(7);

    List<Tensor> featCombined = new ArrayList<>();
    for (int r = 0; r < numInp; r++) {
      Tensor dataR = rand(1, nzInp);
      dataR.requiresGrad(true);
      Tensor featR = Checkpoint.checkpoint(in -> module.forward(in[0]), Mode.REENTRANT, dataR);
      featCombined.add(featR);
    }

    // compute mean as a proxy for some joint reasoning
    Tensor meanCombined = Tensor.stack(featCombined, 0).mean();
    meanCombined.backward();
  }

  /** test_checkpointing_without_reentrant, parametrized by input_requires_grad */
  @Test
  void test_checkpointing_without_reentrant() {
    for (boolean inputRequiresGrad : new boolean[] {true, false}) {
      int numInp = 2000;
      int nzInp = 10;
      Sequential module = proxyNetwork(11);
      // Run model with and without checkpointing and verify gradients are equivalent, regardless of if inputs
      // require grads or not.
      Sequential moduleCopy = proxyNetwork(11);

      List<Tensor> featCombined = new ArrayList<>();
      List<Tensor> featCombinedNoCheckpoint = new ArrayList<>();
      for (int r = 0; r < numInp; r++) {
        Tensor dataR = rand(1, nzInp);
        dataR.requiresGrad(inputRequiresGrad);
        Tensor featR = Checkpoint.checkpoint(in -> module.forward(in[0]), Mode.NON_REENTRANT, dataR);
        featCombined.add(featR);
        featCombinedNoCheckpoint.add(moduleCopy.forward(dataR));
      }

      // compute mean as a proxy for some joint reasoning
      Tensor meanCombined = Tensor.stack(featCombined, 0).mean();
      meanCombined.backward();
      Tensor meanCombinedNoCheckpoint = Tensor.stack(featCombinedNoCheckpoint, 0).mean();
      meanCombinedNoCheckpoint.backward();

      List<Tensor> p = module.parameters();
      List<Tensor> q = moduleCopy.parameters();
      for (int i = 0; i < p.size(); i++) {
        assertEqual(q.get(i).grad(), p.get(i).grad());
      }
    }
  }

  /** test_checkpoint_valid_reset_on_error */
  @Test
  void test_checkpoint_valid_reset_on_error() {
    Tensor a = randn(2, 2).requiresGrad(true);

    assertRaisesRegex(RuntimeException.class, "Checkpointing is not compatible with .grad\\(\\)", () -> {
      Tensor b = Checkpoint.checkpoint(in -> in[0].exp(), Mode.REENTRANT, a).sum();
      Autograd.grad(b, a);
    });

    Tensor c = Checkpoint.checkpoint(in -> in[0].exp(), Mode.REENTRANT, a).sum();
    c.backward();
  }

  /** test_checkpointing_without_reentrant_detached_tensor, parametrized by use_reentrant */
  @Test
  void test_checkpointing_without_reentrant_detached_tensor() {
    for (Mode mode : Mode.values()) {
      Generator g = new Generator(3);
      Linear linear = new Linear(2, 2, false, g, Tensor.DType.FLOAT64);
      Linear lin2 = new Linear(2, 2, false, g, Tensor.DType.FLOAT64);
      java.util.function.Function<Tensor[], Tensor> noGradModule =
          in -> Autograd.noGrad(() -> lin2.forward(linear.forward(in[0])));

      Tensor a = randn(2, 2).requiresGrad(true);
      for (int i = 0; i < 3; i++) {
        Runnable body = () -> {
          // out does not require grad
          Tensor out = Checkpoint.checkpoint(noGradModule, mode, a);
          // Make loss require grad, otherwise we would run into "element 0 of tensors does not require grad and
          // does not have a grad_fn"
          out.add_(a);
          out.sum().backward();
        };
        if (mode == Mode.REENTRANT) {
          assertRaisesRegex(RuntimeException.class, "none of output has requires_grad=True", body::run);
        } else {
          body.run();
        }
      }
    }
  }

  /** test_checkpointing_without_reentrant_correct_grad */
  @Test
  void test_checkpointing_without_reentrant_correct_grad() {
    // correct gradients for checkpoint without reentrant autograd, for both backward() and autograd.grad()
    Tensor a = randn(2, 2).requiresGrad(true);

    Tensor b = a.exp().sum();
    b.backward();
    Tensor bGrad = a.grad();

    a.setGrad(null);
    Tensor c = Checkpoint.checkpoint(in -> in[0].exp(), Mode.NON_REENTRANT, a).sum();
    c.backward();
    Tensor cGrad = a.grad();

    a.setGrad(null);
    Tensor d = Checkpoint.checkpoint(in -> in[0].exp(), Mode.NON_REENTRANT, a).sum();
    Tensor dGrad = Autograd.grad(d, a)[0];

    assertEqual(bGrad, cGrad);
    assertEqual(bGrad, dGrad);
  }

  /** test_checkpointing_without_reentrant_parameter_used_in_an_out */
  @Test
  void test_checkpointing_without_reentrant_parameter_used_in_an_out() {
    // gradient hooks are only called once per tensor
    Tensor w = randn(10, 10).requiresGrad(true);
    int[] count = {0};
    w.registerHook(grad -> {
      count[0]++;
      return null;
    });
    Tensor x = rand(10, 10).requiresGrad(true);
    Tensor h = w.mul(x); // Using w outside the checkpoint
    Tensor out = Checkpoint.checkpoint(in -> w.mul(in[0]), Mode.NON_REENTRANT, h); // Using w inside the checkpoint

    out.sum().backward();
    // should only call hook once
    assertEquals(1, count[0]);
  }

  /** test_checkpointing_without_reentrant_arbitrary_input_output */
  @Test
  void test_checkpointing_without_reentrant_arbitrary_input_output() {
    // checkpointing without reentrant autograd works with functions with arbitrary input/output structures
    final class MyModel extends Module {
      final Linear layer = new Linear(5, 5, false, new Generator(5), Tensor.DType.FLOAT64);

      MyModel() {
        registerModule("layer", layer);
      }

      Map<String, Tensor> forward(Map<String, Tensor> dictInput) {
        Tensor tensor = dictInput.get("tensor");
        return Map.of("result", layer.forward(tensor));
      }
    }
    MyModel modelNoCheckpoint = new MyModel();
    MyModel modelCheckpointWithoutReentrant = new MyModel();

    Map<String, Tensor> inp = Map.of("tensor", randn(5, 5));

    Tensor outNoCheckpoint = modelNoCheckpoint.forward(inp).get("result").sum();

    Tensor outCheckpoint = Checkpoint.checkpoint(in -> modelCheckpointWithoutReentrant.forward(inp).get("result"),
        Mode.NON_REENTRANT).sum();

    assertEqual(outNoCheckpoint, outCheckpoint);

    outNoCheckpoint.backward();
    outCheckpoint.backward();

    List<Tensor> p = modelNoCheckpoint.parameters();
    List<Tensor> q = modelCheckpointWithoutReentrant.parameters();
    for (int i = 0; i < p.size(); i++) {
      assertEqual(p.get(i).grad(), q.get(i).grad());
    }
  }
}
