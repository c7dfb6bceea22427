package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import dev.adjoint.optim.ASGD;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.LBFGS;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimizer state files: exact round trips, atomic replacement, and corrupt files refused with the reason. */
class OptimizerStatesTest {
  @TempDir Path dir;

  /** Three steps of {@code make}'s optimizer on the tiny network; returns it. */
  private static Optimizer trained(TinyNet net, Function<List<Tensor>, Optimizer> make) {
    Optimizer opt = make.apply(net.parameters());
    var data = SingleJvm.dataset(TinyNet.data(32, 1), TinyNet.IN).batch(java.util.stream.IntStream.range(0, 32).toArray());
    for (int i = 0; i < 3; i++) {
      opt.step(() -> {
        opt.zeroGrad();
        Tensor loss = F.crossEntropy(net.forward(data.x()), data.y());
        loss.backward();
        return loss;
      });
    }
    return opt;
  }

  /** Steps two copies, one of them through a saved and reloaded state, and compares the parameters. */
  private void assertResumesExactly(Function<List<Tensor>, Optimizer> make) throws IOException {
    TinyNet a = new TinyNet();
    TinyNet b = new TinyNet();
    b.loadStateDict(SingleJvm.copy(a.stateDict()));
    Optimizer oa = trained(a, make);
    Optimizer ob = trained(b, make);
    Path file = dir.resolve(oa.name() + ".state");
    OptimizerStates.save(ob.stateDict(), file);
    Optimizer reloaded = make.apply(b.parameters());
    reloaded.loadStateDict(OptimizerStates.load(file));
    trained(a, p -> oa);
    trained(b, p -> reloaded);
    SingleJvm.assertBitIdentical(SingleJvm.values(a, false), SingleJvm.values(b, false));
  }

  @Test
  void adamAsgdAndLbfgsContinueBitForBitFromASavedState() throws IOException {
    assertResumesExactly(p -> new Adam(p, Adam.options().lr(0.01).amsgrad(true)));
    assertResumesExactly(p -> new ASGD(p, ASGD.options().lr(0.01)));
    assertResumesExactly(p -> new LBFGS(p, LBFGS.options().lr(0.1).historySize(4)));
  }

  @Test
  void everyValueKindRoundTrips() throws IOException {
    TinyNet net = new TinyNet();
    StateDict before = trained(net, p -> new Adam(p, Adam.options().lr(0.01).set("betas", new double[] {0.8, 0.9})))
        .stateDict();
    StateDict after = OptimizerStates.decode(OptimizerStates.encode(before), "memory");
    assertEquals(before.paramGroups().size(), after.paramGroups().size());
    assertArrayEquals((double[]) before.paramGroups().get(0).get("betas"), (double[]) after.paramGroups().get(0).get("betas"));
    assertEquals(before.paramGroups().get(0).get("params"), after.paramGroups().get(0).get("params"));
    assertEquals(3L, after.state().get(0).get("step"));
    assertArrayEquals(((Tensor) before.state().get(2).get("exp_avg_sq")).toFloatArray(),
        ((Tensor) after.state().get(2).get("exp_avg_sq")).toFloatArray());
  }

  @Test
  void lbfgsHistoriesRoundTripButCannotBeAveraged() throws IOException {
    StateDict lbfgs = trained(new TinyNet(), p -> new LBFGS(p, LBFGS.options().lr(0.1))).stateDict();
    StateDict back = OptimizerStates.decode(OptimizerStates.encode(lbfgs), "memory");
    List<?> dirs = (List<?>) back.state().get(0).get("old_dirs");
    assertEquals(((List<?>) lbfgs.state().get(0).get("old_dirs")).size(), dirs.size());
    assertTrue(dirs.get(0) instanceof Tensor);
    var e = assertThrows(IllegalArgumentException.class, () -> OptimizerStates.forEachStateTensor(back, "LBFGS", t -> {}));
    assertTrue(e.getMessage().startsWith("parameter averaging: LBFGS keeps a list in its state"), e.getMessage());
  }

  @Test
  void aCorruptOrForeignFileIsRefusedWithTheReason() throws IOException {
    Path file = dir.resolve("adam.state");
    OptimizerStates.save(trained(new TinyNet(), p -> new Adam(p, 0.01)).stateDict(), file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    var e = assertThrows(IOException.class, () -> OptimizerStates.load(file));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    Files.writeString(file, "not a state file at all");
    e = assertThrows(IOException.class, () -> OptimizerStates.load(file));
    assertTrue(e.getMessage().contains("not an Adjoint optimizer state file"), e.getMessage());
    assertEquals(List.of(file.getFileName()), Files.list(dir).map(Path::getFileName).toList(), "no temporary file left");
  }
}
