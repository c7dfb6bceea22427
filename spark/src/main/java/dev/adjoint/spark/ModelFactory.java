package dev.adjoint.spark;

import dev.adjoint.nn.Module;
import java.io.Serializable;

/**
 * Builds the network on the driver and on each executor ({@code NeuralNetwork::new}). Spark ships the factory,
 * not the module: the executor's replica gets its parameters from the driver's broadcast at every step, so
 * the factory's own initialisation does not matter there. It must build the same architecture every time
 * (the same parameter names and shapes).
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
  /** A new instance of the network. */
  Module create();
}
