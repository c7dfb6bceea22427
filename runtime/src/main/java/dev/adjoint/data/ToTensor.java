package dev.adjoint.data;

/**
 * torchvision's {@code ToTensor} for 8-bit grey images: each pixel {@code p} in {@code 0..255} becomes the
 * float32 {@code p / 255f} in {@code [0, 1]} (the same float division PyTorch does, so the values are
 * bit-identical), laid out channel-first {@code (1, H, W)}.
 */
public final class ToTensor {
  private ToTensor() {}

  /** The value of one unsigned 8-bit pixel. */
  public static float pixel(byte p) {
    return (p & 0xFF) / 255f;
  }

  /** Converts {@code n} pixels of {@code src} from {@code srcOff} into {@code dst} from {@code dstOff}. */
  public static void convert(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] = (src[srcOff + i] & 0xFF) / 255f;
    }
  }
}
