package zoo;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** A record whose components are differentiated through their accessors. */
public record Affine(Tensor w, Tensor b) {
  @Differentiable
  public Tensor apply(Tensor x) {
    return x.mul(w).add(b);
  }
}
