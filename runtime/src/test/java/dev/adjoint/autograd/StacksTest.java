package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/** The stacks generated code with control flow records on, and the adjoint helpers. */
class StacksTest {
  @Test
  void doubleStackPopsInReverseAcrossGrowth() {
    DoubleStack s = new DoubleStack();
    for (int i = 0; i < 1000; i++) {
      s.push(i * 0.5);
    }
    assertEquals(1000, s.size());
    for (int i = 999; i >= 0; i--) {
      assertEquals(i * 0.5, s.pop(), 0.0);
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, s::pop);
    assertTrue(e.getMessage().contains("DoubleStack.pop() on an empty stack"), e.getMessage());
  }

  @Test
  void replayLeavesTheRecordIntact() {
    IntStack s = new IntStack();
    s.push(true);
    s.push(7);
    s.push(false);
    for (int run = 0; run < 2; run++) {
      IntStack r = s.replay();
      assertEquals(false, r.popBoolean());
      assertEquals(7, r.pop());
      assertEquals(true, r.popBoolean());
      assertEquals(0, r.size());
    }
    assertEquals(3, s.size());
  }

  @Test
  void objectStackKeepsReferencesAndNulls() {
    ObjectStack<Tensor> s = new ObjectStack<>();
    Tensor t = Tensor.of(1f, 2f);
    s.push(null);
    for (int i = 0; i < 40; i++) {
      s.push(t);
    }
    ObjectStack<Tensor> r = s.replay();
    for (int i = 0; i < 40; i++) {
      assertSame(t, r.pop());
    }
    assertNull(r.pop());
    assertThrows(IllegalStateException.class, r::pop);
    assertEquals(41, s.size());
  }

  @Test
  void adjointsAddTreatsNullAsZero() {
    Tensor g = Tensor.of(1f, 2f);
    assertSame(g, Adjoints.add(null, g));
    assertEquals("tensor([2., 4.])", Adjoints.add(g, g).toString());
    assertEquals(1, Adjoints.present(null, g, null).length);
  }

  @Test
  void tensorArrayAdjoints() {
    Tensor a = Tensor.of(1f);
    Tensor b = Tensor.of(2f);
    Tensor[] like = Adjoints.like(new Tensor[] {a, b, a});
    assertEquals(3, like.length);
    assertNull(like[0]);
    Tensor[] flat = Adjoints.flatten(new Tensor[] {a}, new Tensor[0], new Tensor[] {b, a});
    assertEquals(3, flat.length);
    assertSame(b, flat[1]);
    assertSame(a, flat[2]);
    Tensor[] none = Adjoints.entries(null, 2);
    assertEquals(2, none.length);
    assertNull(none[1]);
    Tensor[] some = {a, null};
    assertSame(some, Adjoints.entries(some, 2));
    var e = assertThrows(IllegalArgumentException.class, () -> Adjoints.entries(some, 3));
    assertEquals("Adjoints.entries: a gradient of 2 tensors for an array of 3", e.getMessage());
  }

  @Test
  void fusedLengthAcceptsOneElementOperandsAndRejectsRealBroadcasting() {
    Tensor v = Tensor.zeros(11);
    assertEquals(11, Adjoints.fusedLength(v, Tensor.zeros(1), Tensor.scalar(2), Tensor.zeros(11)));
    assertEquals(1, Adjoints.fusedLength(Tensor.scalar(1), Tensor.zeros(1)));
    assertEquals(-1, Adjoints.fusedLength(Tensor.zeros(2, 3), Tensor.zeros(3)));
    assertEquals(-1, Adjoints.fusedLength(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
    // the fused loop reads float32 storage: a float64 operand sends the generated code to the tensor path
    assertEquals(-1, Adjoints.fusedLength(Tensor.zeros(new int[] {11}, Tensor.DType.FLOAT64), Tensor.zeros(11)));
  }
}
