package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.BatchNorm2d;
import dev.adjoint.nn.Conv2d;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.MaxPool2d;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;
import dev.adjoint.nn.Tanh;
import dev.adjoint.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BufferPool}: the engine gives a library rule's gradient back once the node that read it has run, and
 * the next backward's rules take it again. Each test keeps a gradient the way a user can (a hook, a retained
 * gradient, {@code Autograd.grad}, {@code backward(inputs)}, an adjoint of their own) and runs further backward
 * passes of the same shapes, whose rules would take any wrongly given-back array and overwrite it; or compares
 * the bits of {@code backward()} (which gives arrays back and takes used ones) with {@code Autograd.grad}
 * (which never gives any back) on the same graph.
 */
class BufferPoolTest {
  /** 16×256 and 16×512 activations: 4096 and 8192 floats, at or above {@link BufferPool#MIN_FLOATS}. */
  private static final Tensor X = Tensor.randn(new Generator(5), 16, 256);

  /** Two layers: {@code relu(l1(x))} is the hidden activation, {@code mean(relu(l2(h))²)} the loss. */
  private static final class Net {
    final Linear l1;
    final Linear l2;

    Net(long seed) {
      Generator gen = new Generator(seed);
      l1 = new Linear(256, 512, true, gen);
      l2 = new Linear(512, 256, true, gen);
    }

    Tensor hidden(Tensor x) {
      return l1.forward(x).relu();
    }

    Tensor loss(Tensor h) {
      return l2.forward(h).relu().pow(2).mean();
    }

    List<Tensor> parameters() {
      List<Tensor> ps = new ArrayList<>(l1.parameters());
      ps.addAll(l2.parameters());
      return ps;
    }
  }

  @BeforeEach
  void emptyPool() {
    BufferPool.clear();
  }

  /** A full step of {@code net} (zero-grad, backward): fills the pool and takes from it. */
  private static void step(Net net) {
    for (Tensor p : net.parameters()) {
      if (p.grad() != null) {
        p.grad().zero_();
      }
    }
    net.loss(net.hidden(X)).backward();
  }

  private static float[][] grads(List<Tensor> ps) {
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ps.get(i).grad().toFloatArray();
    }
    return out;
  }

  @Test
  void theGradientsBetweenLayersGoBackToThePoolAndReusedOnesGiveTheSameBits() {
    Net net = new Net(1);
    step(net);
    assertTrue(BufferPool.retainedBytes() > 0, "a backward through library rules gives its gradients back");
    float[][] first = grads(net.parameters());
    long held = BufferPool.retainedBytes();
    step(net); // the same step again (no optimizer): its rules write into the arrays of the first
    assertEquals(held, BufferPool.retainedBytes(), "the second step takes back what the first gave");
    float[][] second = grads(net.parameters());
    for (int i = 0; i < first.length; i++) {
      assertArrayEquals(first[i], second[i], "parameter " + i + ": a reused array gives the bits of a fresh one");
    }
  }

  @Test
  void aGradientThatAHookKeepsIsNeverReused() {
    Net net = new Net(2);
    Tensor h = net.hidden(X);
    Tensor[] kept = new Tensor[1];
    h.registerHook(g -> {
      kept[0] = g;
      return g;
    });
    net.loss(h).backward();
    assertNotNull(kept[0]);
    float[] values = kept[0].toFloatArray();
    for (int s = 0; s < 3; s++) {
      step(net);
    }
    assertArrayEquals(values, kept[0].toFloatArray(), "the hook's gradient is the user's");
  }

  @Test
  void aGradientThatALeafHookKeepsIsNeverReused() {
    // p's gradient is relu's adjoint of l2's input gradient: both from the pool
    Net net = new Net(3);
    Tensor p = Tensor.randn(new Generator(8), 16, 512).requiresGrad(true);
    List<Tensor> kept = new ArrayList<>();
    p.registerHook(g -> {
      kept.add(g);
      return g;
    });
    net.loss(p.relu()).backward();
    float[] values = kept.get(0).toFloatArray();
    for (int s = 0; s < 3; s++) {
      net.loss(p.relu()).backward();
    }
    assertEquals(4, kept.size());
    assertArrayEquals(values, kept.get(0).toFloatArray(), "the first gradient the hook kept");
    for (Tensor k : kept) {
      assertArrayEquals(values, k.toFloatArray(), "every pass's gradient the hook kept is intact");
    }
  }

  @Test
  void aLeafsGradAccumulatesAndIsNeverHandedOut() {
    Net net = new Net(4);
    Tensor p = Tensor.randn(new Generator(8), 16, 512).requiresGrad(true);
    Tensor once = Autograd.grad(net.loss(p.relu()), p)[0];
    float[] g = once.toFloatArray();
    float[] expected = new float[g.length];
    for (int s = 0; s < 4; s++) {
      net.loss(p.relu()).backward(); // the first becomes p.grad (taken), the rest are added into it, then given back
      for (int i = 0; i < g.length; i++) {
        expected[i] += g[i];
      }
      assertArrayEquals(expected, p.grad().toFloatArray(), "p.grad after " + (s + 1) + " passes");
    }
  }

  @Test
  void aGradientFromAutogradGradIsNeverReused() {
    Net net = new Net(5);
    Tensor h = net.hidden(X);
    Tensor dh = Autograd.grad(net.loss(h), h)[0];
    float[] values = dh.toFloatArray();
    for (int s = 0; s < 3; s++) {
      step(net);
    }
    assertArrayEquals(values, dh.toFloatArray());
  }

  @Test
  void aRetainedGradientIsNeverReused() {
    Net net = new Net(6);
    Tensor h = net.hidden(X).retainGrad();
    net.loss(h).backward();
    Tensor dh = h.grad();
    float[] values = dh.toFloatArray();
    for (int s = 0; s < 3; s++) {
      step(net);
    }
    assertArrayEquals(values, dh.toFloatArray());
  }

  @Test
  void theGradientOfAnInputOfBackwardIsNeverReused() {
    Net net = new Net(7);
    Tensor h = net.hidden(X);
    Autograd.backward(new Tensor[] {net.loss(h)}, null, false, false, new Tensor[] {h});
    Tensor dh = h.grad();
    float[] values = dh.toFloatArray();
    for (int s = 0; s < 3; s++) {
      step(net);
    }
    assertArrayEquals(values, dh.toFloatArray());
  }

  @Test
  void anAdjointOfTheUsersThatKeepsItsUpstreamGradientKeepsIt() {
    // the upstream gradient of the user's node is l2's input gradient (from the pool, marked); the user's adjoint
    // keeps it and passes it on to relu's node, a library one, which must not give it back afterwards
    Net net = new Net(8);
    List<Tensor> kept = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      Tensor h = net.hidden(X);
      Tensor same;
      try (var g = Autograd.noGrad()) {
        same = h.clone();
      }
      Tensor out = Autograd.record("KeepBackward", null, same, new Tensor[] {h}, new Tensor[0], up -> {
        kept.add(up);
        return Grads.of(up);
      });
      net.loss(out).backward();
    }
    float[] values = kept.get(0).toFloatArray();
    Tensor dh = Autograd.grad(net.loss(net.hidden(X)), net.l2.weight())[0]; // more passes through the pool
    assertNotNull(dh);
    for (Tensor k : kept) {
      assertArrayEquals(values, k.toFloatArray(), "what the user's adjoint kept is intact");
    }
  }

  @Test
  void retainGraphRunsTheSameGraphTwice() {
    Net net = new Net(9);
    Tensor loss = net.loss(net.hidden(X));
    loss.backward(null, true);
    float[][] once = grads(net.parameters());
    loss.backward(null, false);
    float[][] twice = grads(net.parameters());
    for (int i = 0; i < once.length; i++) {
      for (int j = 0; j < once[i].length; j++) {
        assertEquals(once[i][j] + once[i][j], twice[i][j], "parameter " + i + ", element " + j);
      }
    }
  }

  @Test
  void aTensorReadByTwoNodesGetsTheSumOfBoth() {
    // h's two gradients are summed by the engine, and both terms given back: backward() against Autograd.grad on
    // the same graph (which gives nothing back), over passes that reuse the arrays
    Net net = new Net(10);
    Linear l3 = new Linear(512, 256, true, new Generator(11));
    for (int s = 0; s < 3; s++) {
      for (Tensor p : net.parameters()) {
        p.setGrad(null);
      }
      Tensor h = net.hidden(X);
      Tensor loss = net.loss(h).add(l3.forward(h).tanh().sum());
      Tensor[] reference = Autograd.grad(new Tensor[] {loss}, net.parameters().toArray(new Tensor[0]), null, true,
          false, false);
      loss.backward();
      for (int i = 0; i < reference.length; i++) {
        assertArrayEquals(reference[i].toFloatArray(), net.parameters().get(i).grad().toFloatArray(),
            "pass " + s + ", parameter " + i);
      }
    }
  }

  @Test
  void aConvolutionalBlockGivesTheBitsOfAutogradGrad() {
    Generator gen = dev.adjoint.Adjoint.manualSeed(12);
    Conv2d conv = new Conv2d(4, 8, 3, 1, 1);
    BatchNorm2d bn = new BatchNorm2d(8);
    MaxPool2d pool = new MaxPool2d(2);
    Linear head = new Linear(8 * 8 * 8, 10, true, gen);
    Tensor x = Tensor.randn(gen, 4, 4, 16, 16).requiresGrad(true); // 4096: the convolution's input gradient too
    List<Tensor> ps = new ArrayList<>(conv.parameters());
    ps.addAll(bn.parameters());
    ps.addAll(head.parameters());
    ps.add(x);
    for (int s = 0; s < 3; s++) {
      for (Tensor p : ps) {
        p.setGrad(null);
      }
      Tensor y = pool.forward(bn.forward(conv.forward(x)).relu()).reshape(4, 512);
      Tensor loss = head.forward(y).pow(2).sum();
      Tensor[] reference = Autograd.grad(new Tensor[] {loss}, ps.toArray(new Tensor[0]), null, true, false, false);
      loss.backward();
      for (int i = 0; i < reference.length; i++) {
        assertArrayEquals(reference[i].toFloatArray(), ps.get(i).grad().toFloatArray(), "pass " + s + ", " + i);
      }
    }
    assertTrue(BufferPool.retainedBytes() > 0);
  }

  /** Ten SGD steps of a fresh {@code Net(seed)}; the trained weights. */
  private static float[][] train(long seed) {
    Net net = new Net(seed);
    SGD opt = new SGD(net.parameters(), 0.05);
    for (int s = 0; s < 10; s++) {
      opt.zeroGrad();
      net.loss(net.hidden(X)).backward();
      opt.step();
    }
    float[][] w = new float[4][];
    for (int i = 0; i < 4; i++) {
      w[i] = net.parameters().get(i).toFloatArray();
    }
    return w;
  }

  @Test
  void twoThreadsTrainingAtOnceGetTheBitsOfOneAlone() throws Exception {
    float[][] a = train(21);
    float[][] b = train(22);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 2; round++) {
        Future<float[][]> fa = threads.submit(() -> train(21));
        Future<float[][]> fb = threads.submit(() -> train(22));
        float[][] ta = fa.get();
        float[][] tb = fb.get();
        for (int i = 0; i < 4; i++) {
          assertArrayEquals(a[i], ta[i], "round " + round + ", model a, parameter " + i);
          assertArrayEquals(b[i], tb[i], "round " + round + ", model b, parameter " + i);
        }
      }
    } finally {
      threads.shutdown();
    }
  }

  // ---- activations between the layers of a Sequential (BufferPool.activation)

  /** 256-512-512-10 with ReLU and Tanh between (Tanh: a second derivative that is not zero). */
  private static Sequential mlp(long seed) {
    Generator gen = new Generator(seed);
    return new Sequential(new Linear(256, 512, true, gen), new ReLU(), new Linear(512, 512, true, gen), new Tanh(),
        new Linear(512, 10, true, gen));
  }

  /** The same layers called one by one: no activation is given back. */
  private static Tensor byHand(Sequential s, Tensor x) {
    Tensor y = x;
    for (int i = 0; i < s.size(); i++) {
      y = s.get(i).forward(y);
    }
    return y;
  }

  private static float[][] values(List<Tensor> ps) {
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ps.get(i).toFloatArray();
    }
    return out;
  }

  private static float[][] trainMlp(boolean sequential, int steps) {
    Sequential s = mlp(41);
    SGD opt = new SGD(s.parameters(), 0.05);
    for (int k = 0; k < steps; k++) {
      opt.zeroGrad();
      Tensor out = sequential ? s.forward(X) : byHand(s, X);
      out.pow(2).mean().backward();
      opt.step();
    }
    return values(s.parameters());
  }

  @Test
  void aSequentialGivesItsActivationsBackAndTrainsToTheBitsOfTheLayersCalledByHand() {
    float[][] pooled = trainMlp(true, 4);
    assertTrue(BufferPool.retainedBytes() > 0);
    float[][] plain = trainMlp(false, 4);
    for (int i = 0; i < plain.length; i++) {
      assertArrayEquals(plain[i], pooled[i], "parameter " + i);
    }
  }

  @Test
  void theOutputOfASequentialAndWhatAForwardHookSeesStayTheUsers() {
    Sequential s = mlp(42);
    List<Tensor> seen = new ArrayList<>();
    s.get(2).registerForwardHook((m, in, out) -> {
      seen.add(in);
      seen.add(out);
      return null;
    });
    Tensor out = s.forward(X);
    out.pow(2).mean().backward();
    float[] outValues = out.toFloatArray();
    float[] in2 = seen.get(0).toFloatArray();
    float[] out2 = seen.get(1).toFloatArray();
    for (int k = 0; k < 3; k++) {
      s.forward(X).pow(2).mean().backward();
      try (var g = Autograd.noGrad()) {
        s.forward(X);
      }
    }
    assertArrayEquals(outValues, out.toFloatArray(), "the output");
    assertArrayEquals(in2, seen.get(0).toFloatArray(), "the hooked layer's input");
    assertArrayEquals(out2, seen.get(1).toFloatArray(), "the hooked layer's output");
  }

  /**
   * An outside user's report: an activation a Sequential gave back, reached through the graph
   * ({@code gradFn().nextFunctions()...output(0)}), threw an ArrayIndexOutOfBoundsException naming nothing. Reading
   * it now says what happened and how to keep it; its shape still reads, and printing it does not throw.
   */
  @Test
  void aGivenBackActivationReachedThroughTheGraphSaysSo() {
    Sequential s = mlp(44);
    Tensor out = s.forward(X);
    List<Tensor> retired = new ArrayList<>();
    java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(List.of(out.gradFn()));
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      Tensor o = n.output(0);
      if (o != null && o.toString().contains("given back to the buffer pool")) {
        retired.add(o);
      }
      for (Edge e : n.nextFunctions()) {
        if (e != null && e.node() != null) {
          todo.push(e.node());
        }
      }
    }
    // the inputs of the ReLU and of the Tanh, which save their outputs, not their inputs
    assertEquals(2, retired.size(), "the outputs of the first two Linears");
    assertArrayEquals(new int[] {16, 512}, retired.get(0).shape());
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> retired.get(0).toFloatArray());
    assertTrue(e.getMessage().startsWith("toFloatArray: this tensor of shape [16, 512] has no values any more: its"
        + " storage was given back to Adjoint's buffer pool") && e.getMessage().contains("-Dadjoint.pool=off"),
        e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> retired.get(0).sum());
  }

  @Test
  void inferenceUnderNoGradReusesItsActivations() {
    Sequential s = mlp(43);
    s.eval();
    float[] first;
    try (var g = Autograd.noGrad()) {
      first = s.forward(X).toFloatArray();
      assertTrue(BufferPool.retainedBytes() > 0, "the activations between layers went back");
      for (int k = 0; k < 3; k++) {
        assertArrayEquals(first, s.forward(X).toFloatArray(), "pass " + k);
      }
    }
    assertArrayEquals(first, byHand(s, X).toFloatArray());
  }

  @Test
  void retainGraphKeepsTheActivationsForTheSecondBackward() {
    Sequential s = mlp(44);
    Tensor loss = s.forward(X).pow(2).mean();
    loss.backward(null, true);
    float[][] once = grads(s.parameters());
    step(new Net(45)); // other backward passes take from the pool in between
    loss.backward(null, false);
    float[][] twice = grads(s.parameters());
    for (int i = 0; i < once.length; i++) {
      for (int j = 0; j < once[i].length; j++) {
        assertEquals(once[i][j] + once[i][j], twice[i][j], "parameter " + i + ", element " + j);
      }
    }
  }

  /** The Hessian of {@code mean(out²)} applied to {@code v}, by double backward. */
  private static float[][] hvp(Sequential s, boolean sequential, List<Tensor> v) {
    Tensor[] ps = s.parameters().toArray(new Tensor[0]);
    Tensor loss = (sequential ? s.forward(X) : byHand(s, X)).pow(2).mean();
    Tensor[] g = Autograd.grad(new Tensor[] {loss}, ps, null, true);
    Tensor dot = null;
    for (int i = 0; i < g.length; i++) {
      Tensor t = g[i].mul(v.get(i)).sum();
      dot = dot == null ? t : dot.add(t);
    }
    Tensor[] h = Autograd.grad(new Tensor[] {dot}, ps, null, false);
    float[][] out = new float[h.length][];
    for (int i = 0; i < h.length; i++) {
      out[i] = h[i].toFloatArray();
    }
    return out;
  }

  @Test
  void aDoubleBackwardThroughASequentialReadsItsActivationsIntact() {
    Sequential s = mlp(46);
    List<Tensor> v = new ArrayList<>();
    Generator gen = new Generator(47);
    for (Tensor p : s.parameters()) {
      v.add(Tensor.randn(gen, p.shape()));
    }
    float[][] reference = hvp(s, false, v);
    for (int k = 0; k < 2; k++) {
      float[][] pooled = hvp(s, true, v);
      step(new Net(48)); // more passes through the pool
      for (int i = 0; i < reference.length; i++) {
        assertArrayEquals(reference[i], pooled[i], "pass " + k + ", parameter " + i);
      }
    }
  }

  @Test
  void theTensorsThatSavedTensorHooksSeeStayIntact() {
    Sequential s = mlp(49);
    List<Tensor> packed = new ArrayList<>();
    List<float[]> copies = new ArrayList<>();
    Tensor loss = Autograd.savedTensorsHooks(t -> {
      packed.add(t);
      copies.add(t.toFloatArray());
      return t;
    }, o -> (Tensor) o, () -> s.forward(X).pow(2).mean());
    loss.backward();
    for (int k = 0; k < 3; k++) {
      s.forward(X).pow(2).mean().backward();
    }
    for (int i = 0; i < packed.size(); i++) {
      assertArrayEquals(copies.get(i), packed.get(i).toFloatArray(), "packed tensor " + i);
    }
  }
}
