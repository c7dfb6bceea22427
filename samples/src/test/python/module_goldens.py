"""PyTorch goldens for issue 18's modules used inside @Differentiable modules (the samples' corpus classes
ModuleZooConv and ModuleZooNorm, which declare the same layers with the same names).

Every parameter is drawn here (torch.manual_seed(0), float64) and written out, so the Java test loads the same
weights; the forward value and the gradients of the input and of every parameter are computed in float64.
Then a few training steps (SGD, with clip_grad_value_ / clip_grad_norm_ before each step) write the losses,
the batch norms' running statistics and parameters_to_vector, and evaluation mode's loss and gradients.

Run with Debian's python3-torch (1.13): /usr/bin/python3 samples/src/test/python/module_goldens.py
It is deterministic: it writes the same file every time.
"""
import copy
import json
import os

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


class ModuleZooConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.same = nn.Conv2d(4, 4, 3, stride=1, padding="same", dilation=2, groups=2, bias=True)
        self.strided = nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False)
        self.up = nn.ConvTranspose2d(6, 3, 3, stride=2, padding=1, output_padding=1)
        self.pool = nn.MaxPool2d(2)
        self.avg = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.adapt = nn.AdaptiveAvgPool2d((2, 3))
        self.line = nn.Conv1d(4, 4, 3, stride=2, padding=2, dilation=2, groups=2, bias=True)
        self.lineSame = nn.Conv1d(4, 2, 3, stride=1, padding="same", dilation=2, bias=False)
        self.gelu = nn.GELU()
        self.silu = nn.SiLU()
        self.leaky = nn.LeakyReLU(0.2)
        self.softplus = nn.Softplus(2.0, 1.0)
        self.tanh = nn.Tanh()
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        h = self.gelu(self.same(x))
        h = self.silu(self.strided(h))
        h = self.leaky(self.up(h))
        p = self.avg(self.pool(h))
        q = self.sigmoid(self.adapt(self.softplus(p)))
        l = self.lineSame(self.tanh(self.line(x.flatten(2, 3))))
        return (q * q).sum() + (l * l).mean()


class ModuleZooNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(7, 4, padding_idx=0)
        self.ln = nn.LayerNorm(4)
        self.bn1 = nn.BatchNorm1d(4, eps=1e-5, momentum=0.3)
        self.gn = nn.GroupNorm(2, 4)
        self.bn0 = nn.BatchNorm1d(4)
        self.bn2 = nn.BatchNorm2d(3, eps=1e-3, momentum=0.2)
        self.bnPlain = nn.BatchNorm2d(3, affine=False)
        self.gnPlain = nn.GroupNorm(1, 4, affine=False)

    def forward(self, tokens, img):
        e = self.ln(self.embed(tokens))
        h = self.gn(self.bn1(e.transpose(1, 2)))
        s = self.bn0(h.mean(2))
        i = self.bn2(img)
        plain = (self.bnPlain(img) * i).sum() + (self.gnPlain(h) * h.sigmoid()).sum()
        return (h.tanh() * h).sum() + s.sigmoid().sum() + (i * i.sigmoid()).sum() + plain


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor(t):
    return {"shape": list(t.shape), "data": flat(t)}


def state(m):
    return {k: tensor(v) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}


def draw(m):
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.randn(p.shape) * 0.5 + (1.0 if name.endswith("weight") and p.dim() == 1 else 0.0))
        if isinstance(getattr(m, "embed", None), nn.Embedding):
            m.embed.weight[0].zero_()


def grads(m, inputs, loss):
    m.zero_grad()
    for t in inputs.values():
        if t.grad is not None:
            t.grad = None
    loss.backward()
    out = {"loss": float(loss)}
    for n, t in inputs.items():
        out["d_" + n] = flat(t.grad)
    for n, p in m.named_parameters():
        out[n] = flat(p.grad)
    return out


def case(m, inputs, steps, clip):
    differentiable = {n: t for n, t in inputs.items() if t.is_floating_point()}
    for t in differentiable.values():
        t.requires_grad_(True)
    # on a copy: a training forward moves the running statistics, and the steps below start from the initial ones
    once = copy.deepcopy(m)
    first = grads(once, differentiable, once(*inputs.values()))
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = m(*inputs.values())
        loss.backward()
        clip(m.parameters())
        opt.step()
        losses.append(float(loss))
    after = {
        "losses": losses,
        "state": state(m),
        "vector": flat(torch.nn.utils.parameters_to_vector(m.parameters())),
    }
    m.eval()
    evaluation = grads(m, differentiable, m(*inputs.values()))
    return {
        "inputs": {n: tensor(t) for n, t in inputs.items()},
        "train": first,
        "steps": after,
        "eval": evaluation,
    }


def main():
    torch.manual_seed(0)
    out = {}

    conv = ModuleZooConv()
    draw(conv)
    initial = state(conv)
    x = torch.randn(2, 4, 8, 8)
    c = case(conv, {"x": x}, 2, lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.05))
    out["conv"] = {"state": initial, **c}

    norm = ModuleZooNorm()
    draw(norm)
    initial = state(norm)
    tokens = torch.tensor([[1, 0, 3, 6, 2], [0, 5, 5, 4, 1]])
    img = torch.randn(2, 3, 4, 4) * 2 + 0.5
    c = case(norm, {"tokens": tokens, "img": img}, 3, lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1.0))
    out["norm"] = {"state": initial, **c}

    pool = nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)
    x = torch.randn(2, 3, 7, 7, requires_grad=True)
    w = torch.randn(2, 3, 4, 4)
    values, indices = pool(x)
    (values * w).sum().backward()
    out["maxPoolIndices"] = {"x": tensor(x), "w": tensor(w), "values": flat(values),
                             "indices": [int(i) for i in indices.reshape(-1).tolist()], "d_x": flat(x.grad)}

    path = os.path.join(os.path.dirname(__file__), "..", "resources", "goldens", "modules.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
