#!/usr/bin/python3
"""Runs, under PyTorch 1.13, the cases of test_autograd.py (TestAutograd.test_setitem, test_setitem_mask,
test_indexing) exactly as AutogradIndexingTest translates them: each int index as a 0-d index tensor, each
list as an index tensor, masks fixed. Prints "ok" when every expectation of the translation holds in PyTorch.

    /usr/bin/python3 runtime/src/test/python/autograd_indexing_check.py
"""
import torch

MASK = torch.tensor([[1, 0, 1, 1, 0], [0, 1, 1, 0, 0], [1, 1, 0, 0, 1], [0, 0, 0, 1, 1], [1, 0, 1, 0, 1]]).bool()


def setitem(size, index):
    x = torch.ones(*size, requires_grad=True)
    y = x + 2
    v = y._version
    y[index] = 2
    assert y._version != v
    y.backward(torch.ones(*size))
    expected = torch.ones(*size)
    expected[index] = 0
    assert torch.equal(x.grad, expected), (size, index)
    assert type(y.grad_fn).__name__ in ("IndexPutBackward0", "CopySlices")


def setitem_tensor(size, index):
    x = torch.ones(*size, requires_grad=True)
    y = x + 2
    v = y._version
    value = x.new(x[index].size()).fill_(7)
    value.requires_grad = True
    y[index] = value
    assert y._version != v
    y.backward(torch.ones(*size))
    expected = torch.ones(*size)
    expected[index] = 0
    assert torch.equal(x.grad, expected)
    assert torch.equal(value.grad, torch.ones_like(value))


def L(*v):
    return torch.tensor(v)


S = slice(None)
setitem((5, 5), (L(1),))
setitem((5, 5), torch.tensor(1))
setitem((5,), torch.tensor(1))
setitem((1,), torch.tensor(0))
setitem((10,), (L(0, 4, 2),))
setitem((5, 5), (L(0, 4), L(2, 2)))
setitem((5, 5, 5), (S, S, L(1, 3)))
setitem((5, 5, 5), (S, L(1, 3), S))
setitem((5, 5, 5), (L(1, 3), S, S))
setitem((5, 5, 5), (S, L(2, 4), L(1, 3)))
setitem((5, 5, 5), (L(1, 3), L(2, 4), S))
setitem_tensor((5, 5), torch.tensor(3))
setitem_tensor((5, 5), (L(0, 1), L(1, 0)))
setitem_tensor((5,), torch.tensor(3))
setitem_tensor((5,), (L(0, 1, 2, 3),))
setitem_tensor((5, 5, 5), (S, S, L(1, 3)))
setitem_tensor((5, 5, 5), (S, L(1, 3), S))
setitem_tensor((5, 5, 5), (L(1, 3), S, S))
setitem_tensor((5, 5, 5), (S, L(2, 4), L(1, 3)))
setitem_tensor((5, 5, 5), (L(1, 3), L(2, 4), S))
setitem_tensor((5, 5, 5), (L(1, 3), L(2, 4), S))
# test_setitem_mask
setitem((5, 5), MASK)
setitem((5,), MASK[0])
setitem((1,), MASK[0, 0:1])
setitem_tensor((5, 5), MASK)
setitem_tensor((5,), MASK[0])

# test_indexing (the tensor-index cases)
x = torch.arange(1., 17).view(4, 4)
for idx in [(L(1),), (L(1), L(1)), (L(0, 2),), (MASK[:4, :4],), (L(0), L(0)), (L(1, 2, 3), L(0)), (L(1, 2), L(2, 1)),
            (torch.tensor([[1, 2], [3, 0]]), torch.tensor([[0, 1], [2, 3]])), (S, L(2, 3)), (L(2, 3), S), (L(0),)]:
    y = x.clone().requires_grad_(True)
    out = y[idx]
    assert torch.equal(out.detach(), x[idx])
    out.sum().backward()
    expected = torch.zeros(4, 4)
    expected[idx] = 1
    assert torch.equal(y.grad, expected), idx
    assert type(out.grad_fn).__name__ == "IndexBackward0"
print("ok")
