"""Writes runtime/src/test/resources/goldens/safetensors/: safetensors files written on the PyTorch side, the
oracle for dev.adjoint.nn.SafeTensors (SafeTensorsTest).

Run with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 runtime/src/test/python/safetensors_goldens.py
The files are written by write_safetensors below (struct + json + the tensors' bytes, the format at
https://github.com/huggingface/safetensors). When the `safetensors` package is installed
(pip install safetensors; 0.8.0 checked), the script also serialises each dict with safetensors.torch.save
and fails unless the bytes are identical (up to the order of the __metadata__ entries, which the library
takes from a hash map), and reads each file back with safetensors.torch.load_file.

  mlp.safetensors     state_dict() of nn.Sequential(Linear(4, 3), ReLU(), Linear(3, 2)), float32, with
                      __metadata__ {"format": "pt", "source": ...}; mlp.json holds an input and the output
                      PyTorch computes from it, so the test checks the loaded model, not only the numbers.
  dtypes.safetensors  one tensor per dtype Adjoint reads (F64, F16, BF16, I64, I32, I16, I8, U8, BOOL), a 0-d
                      tensor and an empty one; dtypes.json holds their values as float32 and shapes.
  lossy.safetensors   F64 values that float32 cannot hold exactly, and an I64 above 2^24.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "goldens", "safetensors")

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}
# the safetensors writer orders tensors by decreasing alignment (its Dtype enum, reversed), then by name
ORDER = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret as int16
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(tensors, metadata, path):
    """The format, by hand: u64 LE header length, JSON header padded with spaces to 8 bytes, raw LE data."""
    names = sorted(tensors, key=lambda n: (-ORDER.index(DTYPES[tensors[n].dtype]), n))
    header, data, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for n in names:
        b = tensor_bytes(tensors[n])
        header[n] = {"dtype": DTYPES[tensors[n].dtype], "shape": list(tensors[n].shape),
                     "data_offsets": [offset, offset + len(b)]}
        data.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    blob = struct.pack("<Q", len(h)) + h + b"".join(data)
    with open(path, "wb") as f:
        f.write(blob)
    try:
        import safetensors.torch as st
    except ImportError:
        return
    ref = st.save({k: v.contiguous() for k, v in tensors.items()}, metadata=metadata)
    # the same bytes, except that the library orders the __metadata__ entries as a Rust HashMap does (at random)
    n = struct.unpack("<Q", ref[:8])[0]
    assert ref[:8] == blob[:8] and ref[8 + n:] == blob[8 + n:], "data differs from safetensors.torch.save: " + path
    assert json.loads(ref[8:8 + n]) == json.loads(h), "header differs from safetensors.torch.save: " + path
    if metadata is None or len(metadata) < 2:
        assert ref == blob, "write_safetensors differs from safetensors.torch.save for " + path
    back = st.load_file(path)
    assert back.keys() == tensors.keys() and all(torch.equal(back[k], tensors[k]) for k in back), path


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    state = {k: v.detach() for k, v in model.state_dict().items()}
    write_safetensors(state, {"format": "pt", "source": "safetensors_goldens.py \"mlp\""},
                      os.path.join(OUT, "mlp.safetensors"))
    with open(os.path.join(OUT, "mlp.json"), "w") as f:
        json.dump({"torch": torch.__version__, "keys": list(state), "input": x.tolist(), "output": y.tolist(),
                   "values": {k: v.flatten().tolist() for k, v in state.items()}}, f, indent=1)
        f.write("\n")

    d = {
        "f64": torch.tensor([[0.5, -2.25], [1e-3, 3.0]], dtype=torch.float64).float().double(),
        "f16": torch.tensor([1.0, -0.333, 65504.0, 6e-8], dtype=torch.float16),
        "bf16": torch.tensor([[1.5, -3.0e38], [1e-30, 0.1]], dtype=torch.bfloat16),
        "i64": torch.tensor([-3, 0, 16777216], dtype=torch.int64),
        "i32": torch.tensor([7, -7], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 5], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    write_safetensors(d, None, os.path.join(OUT, "dtypes.safetensors"))
    with open(os.path.join(OUT, "dtypes.json"), "w") as f:
        json.dump({k: {"dtype": DTYPES[v.dtype], "shape": list(v.shape), "values": v.float().flatten().tolist()}
                   for k, v in d.items()}, f, indent=1)
        f.write("\n")

    lossy = {"weight": torch.tensor([0.1, 0.25], dtype=torch.float64),
             "big": torch.tensor([16777217], dtype=torch.int64)}
    write_safetensors(lossy, None, os.path.join(OUT, "lossy.safetensors"))
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
