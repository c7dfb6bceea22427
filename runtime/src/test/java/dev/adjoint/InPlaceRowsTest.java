package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The completeness test of the in-place operations (issue 13, "one row per primitive"): every public in-place
 * method of {@link Tensor} (found by reflection: its name ends in {@code _}) records through the row of its
 * out-of-place primitive ({@code add_} through {@code add}'s; {@code copy_}, {@code fill_}, {@code zero_} through
 * the package-private rows {@code copyFrom}, {@code filled}, {@code zeroed}), so that each operation has one
 * adjoint and one node name. For each, on random inputs: the node is named as the row says and as the
 * out-of-place operation's node is, and the engine's gradients through the in-place node equal, bit for bit, a
 * direct call of the row's adjoint on the value before the change and the gradients of the out-of-place
 * operation on the same values.
 */
class InPlaceRowsTest {
  /** The in-place methods that are not operations on values (nothing to record), with why. */
  private static final Map<String, String> NOT_OPERATIONS = Map.of(
      "detach_()", "takes the tensor out of the graph",
      "requiresGrad_(boolean)", "sets a leaf's flag");

  /** The out-of-place method of each in-place one whose name is not the in-place name without its {@code _}. */
  private static final Map<String, String> RENAMED = Map.of("copy_", "copyFrom", "fill_", "filled", "zero_", "zeroed");

  private static String key(Method m) {
    return m.getName() + "(" + String.join(",", Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
        .toList()) + ")";
  }

  static List<Method> inPlaceMethods() {
    List<Method> found = new ArrayList<>();
    for (Method m : Tensor.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && m.getName().endsWith("_")
          && !NOT_OPERATIONS.containsKey(key(m))) {
        found.add(m);
      }
    }
    found.sort((a, b) -> key(a).compareTo(key(b)));
    return found;
  }

  @Test
  void theInPlaceMethodsAreFoundAndTheExclusionsExist() {
    List<String> keys = inPlaceMethods().stream().map(InPlaceRowsTest::key).toList();
    assertTrue(keys.size() >= 30, "found only " + keys);
    for (String k : List.of("add_(Tensor)", "add_(Tensor,double)", "copy_(Tensor)", "fill_(double)", "zero_()",
        "clamp_(double,double)", "relu_()", "exp_()", "indexPut_(Tensor[],Tensor,boolean)",
        "maskedFill_(Tensor,double)", "scatter_(int,Tensor,Tensor)", "scatterAdd_(int,Tensor,Tensor)")) {
      assertTrue(keys.contains(k), k + " among " + keys);
    }
    TreeSet<String> all = new TreeSet<>();
    for (Method m : Tensor.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && m.getName().endsWith("_")) {
        all.add(key(m));
      }
    }
    assertTrue(all.containsAll(NOT_OPERATIONS.keySet()), "the listed exclusions exist: " + all);
  }

  /** The out-of-place primitive of an in-place method, and how its inputs follow from the in-place one's. */
  private record Target(Method method, Function<Object[], Object[]> inputs) {}

  private static Target target(Method inPlace) throws NoSuchMethodException {
    String name = RENAMED.getOrDefault(inPlace.getName(),
        inPlace.getName().substring(0, inPlace.getName().length() - 1));
    Class<?>[] types = inPlace.getParameterTypes();
    return switch (key(inPlace)) {
      // t[indices] = values: index_put with accumulate false; a number is a 0-dimensional tensor
      case "indexPut_(Tensor[],Tensor)" -> new Target(Tensor.class.getDeclaredMethod(name, Tensor[].class,
          Tensor.class, boolean.class), a -> new Object[] {a[0], a[1], a[2], false});
      case "indexPut_(Tensor[],double)" -> new Target(Tensor.class.getDeclaredMethod(name, Tensor[].class,
          Tensor.class, boolean.class), a -> new Object[] {a[0], a[1], Tensor.scalar((double) a[2]), false});
      default -> new Target(Tensor.class.getDeclaredMethod(name, types), a -> a);
    };
  }

  /** The one static {@link Row} field of {@code Tensor} bound to {@code method}. */
  private static Row rowOf(Method method) throws IllegalAccessException {
    Row found = null;
    for (Field f : Tensor.class.getDeclaredFields()) {
      if (f.getType() == Row.class && Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        Row r = (Row) f.get(null);
        if (r.method().equals(method)) {
          assertNull(found, method + ": two Row fields");
          found = r;
        }
      }
    }
    assertNotNull(found, method + ": no Row field");
    return found;
  }

  @TestFactory
  Stream<DynamicTest> everyInPlaceMethodRecordsThroughItsOutOfPlaceRow() {
    return inPlaceMethods().stream().map(m -> DynamicTest.dynamicTest(key(m), () -> check(m)));
  }

  /** Values in [0.5, 1.5): inside every domain here (log, sqrt, pow, div), without ties. */
  private static Tensor pos(Generator g, int... shape) {
    Tensor t = Tensor.rand(g, shape);
    float[] d = t.storage();
    for (int i = 0; i < d.length; i++) {
      d[i] += 0.5f;
    }
    return t;
  }

  /** Each row of a 3×4 INT64 index a permutation of 0..3, so no position is written twice. */
  private static Tensor permutations() {
    return Tensor.indices(2, 0, 3, 1, 1, 3, 0, 2, 0, 1, 2, 3).reshape(3, 4);
  }

  /** The in-place method's parameters (not the receiver), fresh on each call; tensors as yet not requiring grad. */
  private static Object[] params(Method m, Generator g) {
    return switch (key(m)) {
      case "add_(Tensor,double)", "sub_(Tensor,double)" -> new Object[] {pos(g, 4), 0.5};
      case "clamp_(double,double)" -> new Object[] {0.8, 1.2};
      case "copy_(Tensor)" -> new Object[] {pos(g, 4)};
      case "indexPut_(Tensor[],Tensor,boolean)" -> new Object[] {new Tensor[] {Tensor.indices(2, 0, 2)},
          pos(g, 3, 4), true};
      case "indexPut_(Tensor[],Tensor)" -> new Object[] {new Tensor[] {Tensor.indices(2, 0)}, pos(g, 2, 4)};
      case "indexPut_(Tensor[],double)" -> new Object[] {new Tensor[] {Tensor.indices(1)}, 3.0};
      case "maskedFill_(Tensor,double)" -> new Object[] {pos(g, 3, 4).gt(1.0), 0.25};
      case "scatter_(int,Tensor,Tensor)", "scatterAdd_(int,Tensor,Tensor)" -> new Object[] {1, permutations(),
          pos(g, 3, 4)};
      case "scatter_(int,Tensor,double)" -> new Object[] {1, permutations().slice(1, 0, 2), 2.5};
      default -> Arrays.stream(m.getParameterTypes()).map(t -> t == Tensor.class ? (Object) pos(g, 4)
          : t == double.class ? (Object) 0.75 : null).toArray();
    };
  }

  /** {@code params} with each float tensor replaced by a new leaf of the same values that requires grad. */
  private static Object[] leaves(Object[] params) {
    Object[] out = params.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
        out[i] = t.copy().requiresGrad(true);
      }
    }
    return out;
  }

  private static void check(Method m) throws Exception {
    Target target = target(m);
    Row row = rowOf(target.method());
    assertNotNull(target.method().getAnnotation(Primitive.class), target.method() + " is a primitive");
    Generator gen = new Generator(key(m).hashCode());
    Tensor x0 = pos(gen, 3, 4);
    Object[] params = params(m, gen);
    Tensor g = Tensor.randn(gen, 3, 4);

    // in place, on a non-leaf whose value before the change is x0 (x.add(0.0) passes its gradient unchanged)
    Tensor x = x0.copy().requiresGrad(true);
    Tensor y = x.add(0.0);
    Object[] inPlaceParams = leaves(params);
    Tensor before = y.detach().copy();
    Object returned = invoke(m, y, inPlaceParams);
    assertSame(y, returned, key(m) + " returns its receiver");
    assertNotNull(y.gradFn(), key(m) + ": recorded");
    String node = y.gradFn().name();
    Object[] inputs = target.inputs().apply(prepend(y, inPlaceParams));
    assertEquals(row.node(inputs), node, key(m) + ": the node is named as the row says");
    Tensor out = y.detach().copy();
    y.backward(g);

    // the row's adjoint, called directly on the value before the change and the result
    Object[] adjointArgs = target.inputs().apply(prepend(before, inPlaceParams));
    Grads direct;
    try (var noGrad = Autograd.noGrad()) {
      direct = row.adjoint(g, out, adjointArgs);
    }

    // the out-of-place operation on the same values
    Tensor x2 = x0.copy().requiresGrad(true);
    Object[] outParams = leaves(params);
    Object[] outInputs = target.inputs().apply(prepend(x2, outParams));
    Tensor z = (Tensor) invoke(target.method(), x2, Arrays.copyOfRange(outInputs, 1, outInputs.length));
    assertEquals(node, z.gradFn().name(), key(m) + ": the in-place node's name is the out-of-place one's");
    assertArrayEquals(bits(z), bits(out), key(m) + ": the in-place result is the out-of-place one's, bit for bit");
    z.backward(g);

    int checked = 0;
    Object[] mine = prepend(x, inPlaceParams);
    Object[] theirs = prepend(x2, outParams);
    for (int i = 0; i < mine.length; i++) {
      if (!(mine[i] instanceof Tensor t) || !t.requiresGrad()) {
        continue;
      }
      Tensor d = direct.get(i);
      assertNotNull(t.grad(), key(m) + ": input " + i + " has a gradient");
      assertNotNull(d, key(m) + ": the adjoint gives input " + i + " a gradient");
      assertArrayEquals(bits(d), bits(t.grad()), key(m) + ": input " + i + " engine == adjoint, bit for bit");
      assertArrayEquals(bits(((Tensor) theirs[i]).grad()), bits(t.grad()),
          key(m) + ": input " + i + " in place == out of place, bit for bit");
      checked++;
    }
    assertTrue(checked > 0, key(m) + ": no gradient compared");
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static Object invoke(Method m, Object receiver, Object[] args) throws Exception {
    m.setAccessible(true);
    try {
      return m.invoke(receiver, args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception c ? c : e;
    }
  }

  private static long[] bits(Tensor t) {
    float[] v = t.toFloatArray();
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  /**
   * What an in-place node saves is its row's, so whether it may run backward a second time is PyTorch's: a node
   * that saved nothing may ({@code add_}), one that saved the old value ({@code log_}), the result
   * ({@code exp_}) or a number ({@code mul_(2)}) may not.
   */
  @Test
  void anInPlaceNodeRunsBackwardAgainExactlyWhenItSavedNothing() {
    Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor y = w.add(0.0).add_(1.0).sub_(Tensor.of(0.5f, 0.5f));
    y.sum().backward();
    y.sum().backward();
    assertArrayEquals(new float[] {2f, 2f}, w.grad().toFloatArray(), "two backwards accumulate");
    for (Function<Tensor, Tensor> op : List.<Function<Tensor, Tensor>>of(Tensor::log_, Tensor::exp_,
        t -> t.mul_(2.0), t -> t.clamp_(0, 1.5))) {
      Tensor v = Tensor.of(1f, 2f).requiresGrad(true).add(0.0);
      Tensor r = op.apply(v).sum();
      r.backward();
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          r::backward);
      assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }
  }

  /**
   * With nothing to record (grad mode off, as in the optimizers' updates) an in-place update allocates nothing:
   * the checks, the version count and the no-record branch, measured by the thread's allocated bytes over many
   * calls after warm-up rounds.
   */
  @Test
  void anUnrecordedInPlaceUpdateAllocatesNothing() {
    Tensor p = Tensor.rand(new Generator(1), 64).requiresGrad(true);
    Tensor grad = Tensor.rand(new Generator(2), 64);
    Map<String, Runnable> updates = new java.util.LinkedHashMap<>();
    // operations whose elementwise work is plain Java: the vector kernels behind add_/mul_ are the kernels'
    // business (on a 64-float tensor they allocate on some machines), this is the recording path's
    updates.put("div_(double)", () -> p.div_(1.000001));
    updates.put("copy_(Tensor)", () -> p.copy_(grad));
    updates.put("fill_(double)", () -> p.fill_(0.5));
    updates.put("zero_()", () -> p.zero_());
    updates.put("clamp_(double,double)", () -> p.clamp_(-1, 1));
    List<String> allocating = new ArrayList<>();
    updates.forEach((name, update) -> {
      long bytes = allocated(update);
      // the last round, compiled: well under one byte per call (a stray object per call would be 16+ bytes)
      if (bytes >= CALLS) {
        allocating.add(name + ": " + bytes + " bytes over " + CALLS + " calls");
      }
    });
    assertEquals(List.of(), allocating);
  }

  private static final int CALLS = 20_000;

  /** The bytes this thread allocates over {@link #CALLS} calls of {@code update} under no-grad, after warm-up rounds. */
  private static long allocated(Runnable update) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes = 0;
    try (var noGrad = Autograd.noGrad()) {
      for (int round = 0; round < 4; round++) {
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < CALLS; i++) {
          update.run();
        }
        bytes = threads.getCurrentThreadAllocatedBytes() - start;
      }
    }
    return bytes;
  }
}
