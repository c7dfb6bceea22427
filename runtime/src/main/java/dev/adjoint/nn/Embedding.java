package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.NormRules;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code embeddingDim} ({@code torch.nn.Embedding}),
 * initialised standard normal (from an Adjoint {@link Generator}), with the {@code paddingIdx} row zeroed
 * and never updated by the gradient. The input holds INT64 indices.
 */
public final class Embedding extends Module {
  private final int numEmbeddings;
  private final int embeddingDim;
  final int paddingIdx;
  private final Tensor weight;

  /** No padding index, the default generator. */
  public Embedding(int numEmbeddings, int embeddingDim) {
    this(numEmbeddings, embeddingDim, NormRules.NO_PADDING, Generator.defaultGenerator());
  }

  /** With a padding index ({@link NormRules#NO_PADDING} for none; negative counts from the end). */
  public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx, Generator gen) {
    if (paddingIdx != NormRules.NO_PADDING && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
      throw new IllegalArgumentException("Embedding: Padding_idx must be within num_embeddings, got " + paddingIdx);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx == NormRules.NO_PADDING || paddingIdx >= 0 ? paddingIdx : paddingIdx + numEmbeddings;
    Tensor w = Init.normal_(Tensor.zeros(numEmbeddings, embeddingDim), 0, 1, gen);
    if (this.paddingIdx != NormRules.NO_PADDING) {
      java.util.Arrays.fill(w.mutableStorage("Embedding"), this.paddingIdx * embeddingDim,
          (this.paddingIdx + 1) * embeddingDim, 0f);
    }
    this.weight = registerParameter("weight", w);
  }

  private static final Row FORWARD = Row.of(Embedding.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = Embedding.class, vjp = "forwardVjp", node = "EmbeddingBackward0",
      receiverInputs = {"weight"}, reads = {1})
  public Tensor forward(Tensor input) {
    return FORWARD.record(NormRules.embedding(input, weight, paddingIdx), this, input, weight);
  }

  /** The adjoint of {@link #forward}: {@code embedding}'s; the module and the indices get none. */
  public static Grads forwardVjp(Tensor g, Tensor out, Embedding self, Tensor input, Tensor weight) {
    return Grads.of(null, null, NormRules.embeddingVjp(g, out, input, weight, self.paddingIdx).get(1));
  }

  /** The table, {@code (numEmbeddings, embeddingDim)}. */
  public Tensor weight() {
    return weight;
  }

  @Override
  protected String extraRepr() {
    return numEmbeddings + ", " + embeddingDim + (paddingIdx != NormRules.NO_PADDING ? ", padding_idx=" + paddingIdx : "");
  }
}
