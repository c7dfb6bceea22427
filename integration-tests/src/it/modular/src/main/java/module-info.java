/** A modular Adjoint user. */
module com.example.modular {
  // transitive: this module's exported API (and the generated QuadraticDiff's) uses Tensor
  requires transitive dev.adjoint.runtime;
  // the generated *Diff classes (public, in an exported package) carry @javax.annotation.processing.Generated
  // (source retention), as Dagger's and AutoValue's do: needed to compile them (static: not at run time), and
  // transitive so -Xlint:exports has nothing to say about the annotation on an exported class
  requires static transitive java.compiler;

  exports com.example.modular;
}
