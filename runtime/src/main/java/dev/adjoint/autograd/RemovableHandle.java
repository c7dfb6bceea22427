package dev.adjoint.autograd;

/**
 * What registering a hook returns ({@code torch.utils.hooks.RemovableHandle}): {@link #remove()} takes the
 * hook out; removing twice does nothing. Also a try-with-resources scope.
 */
@FunctionalInterface
public interface RemovableHandle extends AutoCloseable {
  /** Removes the hook; a second call does nothing. */
  void remove();

  /** Same as {@link #remove()}. */
  @Override
  default void close() {
    remove();
  }
}
