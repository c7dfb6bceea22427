package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.SGD;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code module.double()} / {@code module.float()} ({@link Module#to}): every library module with parameters or
 * buffers, and the parameter-free ones in a container, converted to float64 in place, then forward and backward in
 * float64. Each case builds the module twice from the same seed, converts one, and checks: the parameter objects
 * are the same ones, every parameter and buffer is FLOAT64; the output and every gradient are FLOAT64 and agree
 * with the float32 module's to float32 accuracy; the gradients with respect to the input pass {@link
 * Autograd#gradcheck} (PyTorch's tolerances) and those with respect to every parameter element pass the same
 * central-difference check (the parameter's float64 data moved in place); buffers moved in float64 as in float32;
 * {@code toFloat()} gives back the float32 values exactly.
 */
class ModuleDtypeTest {

  /** A module under test: how to build it (seeded), its input (float32), whether the input is differentiable. */
  record Case(String name, Supplier<Module> make, Function<Generator, Tensor> input, boolean floatInput,
      int paddingFrom, int paddingTo) {
    Case(String name, Supplier<Module> make, Function<Generator, Tensor> input, boolean floatInput) {
      this(name, make, input, floatInput, -1, -1);
    }
  }

  static Tensor randn(Generator g, int... shape) {
    return Tensor.randn(g, shape);
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("Linear", () -> new Linear(5, 3, true, new Generator(1)), g -> randn(g, 4, 5), true));
    c.add(new Case("Linear without bias", () -> new Linear(4, 2, false, new Generator(2)), g -> randn(g, 2, 3, 4),
        true));
    c.add(new Case("Conv1d", () -> seeded(3, () -> new Conv1d(2, 3, 3, 1, 1, 1, 1, true, new Generator(3))), g -> randn(g, 2, 2, 7),
        true));
    c.add(new Case("Conv2d", () -> seeded(4, () -> new Conv2d(2, 3, 3, 2, 1)), g -> randn(g, 2, 2, 6, 5), true));
    c.add(new Case("BatchNorm1d training", () -> new BatchNorm1d(3), g -> randn(g, 5, 3), true));
    c.add(new Case("BatchNorm1d eval", () -> evalAfterOneStep(new BatchNorm1d(3), 5, 3), g -> randn(g, 4, 3, 2),
        true));
    c.add(new Case("BatchNorm2d training", () -> new BatchNorm2d(2), g -> randn(g, 3, 2, 3, 3), true));
    c.add(new Case("BatchNorm2d eval", () -> evalAfterOneStep(new BatchNorm2d(2), 3, 2, 3, 3),
        g -> randn(g, 2, 2, 2, 3), true));
    c.add(new Case("LayerNorm", () -> withRandomAffine(new LayerNorm(4), 5), g -> randn(g, 3, 4), true));
    c.add(new Case("GroupNorm", () -> withRandomAffine(new GroupNorm(2, 4), 6), g -> randn(g, 2, 4, 3), true));
    c.add(new Case("Embedding", () -> new Embedding(6, 3, dev.adjoint.rules.NormRules.NO_PADDING, new Generator(7)),
        g -> Tensor.of(DType.INT64, 0, 5, 2, 2, 1), false));
    c.add(new Case("Embedding with padding", () -> new Embedding(5, 2, 1, new Generator(8)),
        g -> Tensor.of(DType.INT64, 1, 0, 4, 1), false, 2, 4));
    c.add(new Case("Sequential of activations and pooling",
        () -> seeded(9, () -> new Sequential(new Conv2d(1, 2, 3, 1, 1), new ReLU(), new MaxPool2d(2),
            new AvgPool2d(1), new AdaptiveAvgPool2d(2), new Flatten(), new Linear(8, 6, true, new Generator(10)),
            new Tanh(), new Sigmoid(), new GELU(), new SiLU(), new Softplus(), new LeakyReLU(0.1),
            new Dropout(0.0))),
        g -> randn(g, 2, 1, 4, 4), true));
    c.add(new Case("ModuleList and ModuleDict", () -> {
      ModuleDict d = new ModuleDict(Map.of("a", new Linear(3, 3, true, new Generator(11))));
      ModuleList l = new ModuleList(new Linear(3, 2, true, new Generator(12)), d);
      return new Module() {
        final ModuleList layers = registerModule("layers", l);

        @Override
        public Tensor forward(Tensor x) {
          return layers.get(0).call(((ModuleDict) layers.get(1)).get("a").call(x).relu());
        }
      };
    }, g -> randn(g, 2, 3), true));
    return c;
  }

  /** {@code make} run with the default generator seeded, so that two calls build the same module. */
  static Module seeded(long seed, Supplier<Module> make) {
    dev.adjoint.Adjoint.manualSeed(seed);
    return make.get();
  }

  /** A batch norm whose running statistics have moved once from their initial values, in evaluation mode. */
  static Module evalAfterOneStep(Module bn, int... shape) {
    try (var g = Autograd.noGrad()) {
      bn.call(randn(new Generator(21), shape).mul(2).add(0.5));
    }
    return bn.eval();
  }

  /** A norm layer whose affine parameters are not the identity (so their gradients are not trivial). */
  static Module withRandomAffine(Module m, long seed) {
    Generator g = new Generator(seed);
    try (var ng = Autograd.noGrad()) {
      for (Tensor p : m.parameters()) {
        p.copy_(randn(g, p.shape()));
      }
    }
    return m;
  }

  @TestFactory
  Stream<DynamicTest> everyModuleRunsInFloat64AfterToDouble() {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  static void check(Case c) {
    Module m32 = c.make().get();
    Module m64 = c.make().get();
    List<Tensor> before = m64.parameters();
    Map<String, Tensor> buffersBefore = m64.namedBuffers();
    assertSame(m64, m64.toDouble());
    List<Tensor> after = m64.parameters();
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      assertSame(before.get(i), after.get(i), "parameter " + i + " is the same object after toDouble()");
    }
    for (var e : m64.stateDict().entrySet()) {
      // floating-point state only, as module.double(): batch norm's num_batches_tracked stays INT64
      assertEquals(e.getKey().endsWith("num_batches_tracked") ? DType.INT64 : DType.FLOAT64, e.getValue().dtype(),
          e.getKey());
      assertArrayEquals(toDoubles(m32.stateDict().get(e.getKey())), e.getValue().toDoubleArray(), 0,
          e.getKey() + ": float32 values converted exactly");
    }
    for (var e : buffersBefore.entrySet()) {
      assertSame(e.getValue(), m64.namedBuffers().get(e.getKey()), "buffer " + e.getKey() + " kept");
    }

    Generator gen = new Generator(99);
    Tensor x32 = c.input().apply(gen);
    Tensor x64 = c.floatInput() ? x32.toDouble() : x32;
    if (c.floatInput()) {
      x32.requiresGrad(true);
      x64.requiresGrad(true);
    }
    Tensor y32 = m32.call(x32);
    Tensor y64 = m64.call(x64);
    assertEquals(DType.FLOAT64, y64.dtype(), "output dtype");
    Tensor v32 = randn(gen, y32.shape());
    Tensor v64 = v32.toDouble();
    close(y32, y64, "output");
    y32.mul(v32).sum().backward();
    y64.mul(v64).sum().backward();
    if (c.floatInput()) {
      assertEquals(DType.FLOAT64, x64.grad().dtype());
      close(x32.grad(), x64.grad(), "input gradient");
    }
    List<Tensor> p32 = m32.parameters();
    for (int i = 0; i < after.size(); i++) {
      assertNotNull(after.get(i).grad(), "parameter " + i + " has a gradient");
      assertEquals(DType.FLOAT64, after.get(i).grad().dtype(), "parameter " + i + " gradient dtype");
      close(p32.get(i).grad(), after.get(i).grad(), "gradient of parameter " + i);
    }
    for (var e : m64.namedBuffers().entrySet()) {
      assertEquals(e.getKey().endsWith("num_batches_tracked") ? DType.INT64 : DType.FLOAT64, e.getValue().dtype(),
          e.getKey());
      close(m32.namedBuffers().get(e.getKey()), e.getValue(), "buffer " + e.getKey() + " after the forward");
    }

    // gradcheck: the input through Autograd.gradcheck, every parameter element by central differences
    if (c.floatInput()) {
      Tensor x = x64.detach().requiresGrad(true);
      assertTrue(Autograd.gradcheck(in -> m64.call(in[0]).mul(v64).sum(), x));
    }
    gradcheckParameters(m64, x64.detach(), v64, c.paddingFrom(), c.paddingTo());

    // float() gives back the float32 values exactly
    Module fresh = c.make().get();
    Module back = c.make().get().toDouble().toFloat();
    for (var e : back.stateDict().entrySet()) {
      assertEquals(e.getKey().endsWith("num_batches_tracked") ? DType.INT64 : DType.FLOAT32, e.getValue().dtype(),
          e.getKey());
      assertArrayEquals(fresh.stateDict().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), 0f,
          e.getKey());
    }
  }

  /**
   * The gradient of {@code sum(m(x) * v)} with respect to every parameter element against central differences
   * (eps 1e-6, atol 1e-5, rtol 1e-3, PyTorch's gradcheck), moving the float64 parameter in place. Elements
   * {@code [skipFrom, skipTo)} are an embedding's padding row, whose gradient is zero by definition (PyTorch's
   * gradcheck fails there too): checked to be zero.
   */
  static void gradcheckParameters(Module m, Tensor x, Tensor v, int skipFrom, int skipTo) {
    for (var e : m.namedParameters().entrySet()) {
      Tensor p = e.getValue();
      p.setGrad(null);
      m.call(x).mul(v).sum().backward();
      double[] analytical = p.grad().toDoubleArray();
      double[] data = p.mutableStorageF64("gradcheck");
      for (int k = 0; k < data.length; k++) {
        if (k >= skipFrom && k < skipTo) {
          assertEquals(0.0, analytical[k], 0.0, "the padding row gets no gradient");
          continue;
        }
        double keep = data[k];
        double plus;
        double minus;
        try (var g = Autograd.noGrad()) {
          data[k] = keep + 1e-6;
          p.bumpVersion();
          plus = m.call(x).mul(v).sum().toDoubleArray()[0];
          data[k] = keep - 1e-6;
          p.bumpVersion();
          minus = m.call(x).mul(v).sum().toDoubleArray()[0];
        }
        data[k] = keep;
        p.bumpVersion();
        double numerical = (plus - minus) / 2e-6;
        assertEquals(numerical, analytical[k], 1e-5 + 1e-3 * Math.abs(numerical),
            e.getKey() + " element " + k + ": numerical against analytical");
      }
    }
  }

  static double[] toDoubles(Tensor t) {
    float[] f = t.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** float64 {@code got} against float32 {@code want}, to float32 accuracy. */
  static void close(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + " shape");
    float[] w = want.toFloatArray();
    double[] g = got.toDoubleArray();
    double scale = 0;
    for (float f : w) {
      scale = Math.max(scale, Math.abs(f));
    }
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], 2e-5 * Math.max(1, scale), what + " element " + i);
    }
  }

  @Test
  void stateDictsLoadAcrossDtypesWithACast(@TempDir Path dir) throws Exception {
    Linear a = new Linear(3, 2, true, new Generator(31));
    Linear b = new Linear(3, 2, true, new Generator(32));
    b.toDouble();
    Tensor w = b.weight();
    b.loadStateDict(a.stateDict());
    assertSame(w, b.weight());
    assertEquals(DType.FLOAT64, b.weight().dtype(), "the module keeps its dtype");
    assertArrayEquals(toDoubles(a.weight()), b.weight().toDoubleArray(), 0);

    // float64 values into a float32 module round to nearest
    Linear c = new Linear(3, 2, true, new Generator(33));
    try (var g = Autograd.noGrad()) {
      b.weight().add_(1e-12);
    }
    c.loadStateDict(b.stateDict());
    assertEquals(DType.FLOAT32, c.weight().dtype());
    float[] want = new float[6];
    double[] src = b.weight().toDoubleArray();
    for (int i = 0; i < 6; i++) {
      want[i] = (float) src[i];
    }
    assertArrayEquals(want, c.weight().toFloatArray(), 0f);

    // a float64 module saves float64 and loads back bit for bit
    Path file = dir.resolve("b.state");
    b.save(file);
    Linear d = new Linear(3, 2, true, new Generator(34));
    d.toDouble().load(file);
    assertArrayEquals(b.weight().toDoubleArray(), d.weight().toDoubleArray(), 0);
    assertEquals(DType.FLOAT64, StateDict.load(file).get("weight").dtype());
    assertTrue(Files.size(file) > 8 * 8, "8 bytes per float64 element");
  }

  @Test
  void optimizersBuiltAfterConversionStepInFloat64() {
    Linear a = new Linear(4, 2, true, new Generator(41));
    Linear b = new Linear(4, 2, true, new Generator(41));
    b.toDouble();
    SGD s32 = new SGD(a.parameters(), SGD.options().lr(0.1).momentum(0.9));
    SGD s64 = new SGD(b.parameters(), SGD.options().lr(0.1).momentum(0.9));
    Tensor x = randn(new Generator(42), 3, 4);
    for (int step = 0; step < 3; step++) {
      s32.zeroGrad();
      s64.zeroGrad();
      a.call(x).square().sum().backward();
      b.call(x.toDouble()).square().sum().backward();
      s32.step();
      s64.step();
    }
    assertEquals(DType.FLOAT64, b.weight().dtype());
    close(a.weight(), b.weight(), "weight after three SGD steps");
    close(a.bias(), b.bias(), "bias after three SGD steps");
  }

  @Test
  void conversionConvertsGradientsAndOptimizerStateMadeBeforeThrows() {
    Linear a = new Linear(2, 2, true, new Generator(51));
    Adam adam = new Adam(a.parameters(), Adam.options().lr(0.01));
    a.call(Tensor.of(1f, 2f).reshape(1, 2)).sum().backward();
    adam.step();
    a.toDouble();
    assertEquals(DType.FLOAT64, a.weight().grad().dtype(), "the gradient is converted with its parameter");
    a.call(Tensor.of(DType.FLOAT64, 1, 2).reshape(1, 2)).sum().backward();
    IllegalStateException e = assertThrows(IllegalStateException.class, adam::step);
    assertTrue(e.getMessage().startsWith("Adam: the state 'exp_avg' of a parameter of shape [2, 2] is float32 but "
        + "the parameter is now FLOAT64"), e.getMessage());
  }

  @Test
  void aGraphRecordedBeforeTheConversionCannotBeBackpropagated() {
    Linear a = new Linear(2, 2, true, new Generator(61));
    Tensor y = a.call(Tensor.of(1f, 2f).reshape(1, 2).requiresGrad(true)).sum();
    a.toDouble();
    RuntimeException e = assertThrows(RuntimeException.class, y::backward);
    assertTrue(e.getMessage().contains("has had its data replaced by setData since"), e.getMessage());
  }

  @Test
  void setDataRefusesViewsAndNonLeaves() {
    Tensor base = Tensor.zeros(2, 3);
    Tensor view = base.slice(1, 0, 2);
    assertThrows(IllegalStateException.class, () -> view.setData(Tensor.zeros(2, 2)));
    Tensor leaf = Tensor.zeros(2).requiresGrad(true);
    Tensor made = leaf.mul(2);
    assertThrows(IllegalStateException.class, () -> made.setData(Tensor.zeros(2)));
    assertThrows(IllegalArgumentException.class, () -> leaf.setData(Tensor.of(DType.INT64, 1, 2)));
    int v = leaf.version();
    leaf.setData(Tensor.of(DType.FLOAT64, 3, 4, 5));
    assertEquals(DType.FLOAT64, leaf.dtype());
    assertArrayEquals(new int[] {3}, leaf.shape());
    assertEquals(v, leaf.version(), "the version is kept, as PyTorch's x.data = y keeps x._version");
    assertTrue(leaf.requiresGrad());
  }

  @Test
  void toRefusesIntegerDtypes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Linear(2, 2).to(DType.INT64));
    assertTrue(e.getMessage().contains("floating point"), e.getMessage());
  }
}
