"""Fast inference path: the same weights and the same mathematics, less time and memory.

What differs from :meth:`VoxTellNetwork.forward` (the reference path), and why it is equal:

* **Channels-last 3-D layout** for every convolution (oneDNN's fastest layout on CPU).
* **Instance norm by two reductions and an in-place affine**: ``torch``'s Welford kernel is
  about 2x slower on CPU; the result differs by float rounding only (~1e-6).
* **No concatenation in the decoder.** ``conv(cat(up, skip))`` is linear in its input, so it
  equals ``conv_up(up) + conv_skip(skip)``. The skip half does not depend on the prompt and is
  computed once per patch for all prompts (about half the decoder's arithmetic for every
  extra prompt); the skip itself is freed right after.
* **Decoder stage 0 is prompt-independent** (its input is the raw bottleneck) and runs once.
* Activations are freed as soon as they are used; norms and activations work in place.

Tensor layout: ``(B, C, A0, A1, A2)``.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from voxtell.model.network import VoxTellNetwork, fuse_text

CHANNELS_LAST = torch.channels_last_3d


def instance_norm_(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    """In-place affine instance norm over the spatial axes (biased variance), any layout."""
    b, c = x.shape[:2]
    if x.is_contiguous(memory_format=CHANNELS_LAST):
        v = x.permute(0, 2, 3, 4, 1).reshape(b, -1, c)  # a view: (B, S, C)
    else:
        v = x.view(b, c, -1).transpose(1, 2)  # a view: (B, S, C)
    n = v.shape[1]
    mean = v.sum(dim=1, keepdim=True) / n
    v.sub_(mean)
    # Sum of squares in slabs: a full-size temporary would add a whole activation to the peak.
    var = sum((torch.square(part).sum(dim=1, keepdim=True) for part in v.split(_SLAB, dim=1)),
              torch.zeros_like(mean)) / n
    v.mul_(weight * torch.rsqrt(var + eps)).add_(bias)
    return x


_SLAB = 1 << 20  # voxels per slab of the variance pass


def _cna(unit: Any, x: torch.Tensor, slope: float, act: bool = True) -> torch.Tensor:
    """dynamic-network-architectures ``ConvDropoutNormReLU`` (conv -> norm -> leaky ReLU)."""
    y = unit.conv(x)
    y = _norm(unit.norm, y)
    return F.leaky_relu_(y, slope) if act else y


def _norm(norm: Any, y: torch.Tensor) -> torch.Tensor:
    """Fast in-place norm for float32; under autocast (fp16/bf16) the official module, which
    keeps the statistics in float32 instead of risking half-precision overflow."""
    if y.dtype == torch.float32:
        return instance_norm_(y, norm.weight, norm.bias, norm.eps)
    return norm(y)


def _basic_block(block: Any, x: torch.Tensor, slope: float) -> torch.Tensor:
    """``BasicBlockD``: conv1 -> conv2 (no act) + residual (avg-pool, 1x1 conv/norm) -> act."""
    y = _cna(block.conv1, x, slope)
    y2 = _cna(block.conv2, y, slope, act=False)
    del y
    skip = block.skip
    if isinstance(skip, nn.Sequential) and len(skip) > 0:
        r = x
        for module in skip:
            r = _cna(module, r, slope, act=False) if hasattr(module, "conv") else module(r)
        y2 += r
    else:
        y2 += x
    return F.leaky_relu_(y2, slope)


def encode(net: VoxTellNetwork, x: torch.Tensor) -> list[torch.Tensor]:
    """Fast ResidualEncoder forward: ``x`` (B, 1, P0, P1, P2) -> skips (channels-last)."""
    slope = net.config.negative_slope
    encoder: Any = net.encoder
    x = x.contiguous(memory_format=CHANNELS_LAST)
    for unit in encoder.stem.convs:
        x = _cna(unit, x, slope)
    skips = []
    for stage in encoder.stages:
        for block in stage.blocks:
            x = _basic_block(block, x, slope)
        skips.append(x)
    return skips


class SplitDecoderWeights:
    """Decoder-stage conv weights split into the upsampled half and the skip half."""

    def __init__(self, net: VoxTellNetwork) -> None:
        self.up: list[torch.Tensor] = []
        self.skip: list[torch.Tensor] = []
        decoder: Any = net.decoder
        for stage, width in zip(decoder.stages, decoder.stage_widths):
            w = stage.convs[0].conv.weight
            self.up.append(w[:, :width].contiguous(memory_format=CHANNELS_LAST))
            self.skip.append(w[:, width:].contiguous(memory_format=CHANNELS_LAST))


def _stage_conv(net: VoxTellNetwork, i: int, inp: torch.Tensor, weight: torch.Tensor,
                bias: torch.Tensor | None) -> torch.Tensor:
    decoder: Any = net.decoder
    conv = decoder.stages[i].convs[0].conv
    return F.conv3d(inp, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups)


def decode(net: VoxTellNetwork, split: SplitDecoderWeights, skips: list[torch.Tensor],
           embeddings: list[torch.Tensor], out: torch.Tensor | None = None) -> torch.Tensor:
    """Decoder for all prompts with shared prompt-independent work.

    Args:
        skips: encoder outputs for batch 1 (consumed: the list is emptied to free memory).
        embeddings: ``e_j`` (1, N, out_j).
        out: optional preallocated (N, P0, P1, P2) float32 output.

    Returns:
        logits (N, P0, P1, P2) float32.
    """
    dec: Any = net.decoder
    slope = net.config.negative_slope
    last = dec.n_stages - 1
    stage0 = dec.stages[0].convs[0]
    x0 = dec.transpconvs[0](skips[-1])
    x0 = _cna(stage0, torch.cat((x0, skips[-2]), dim=1).contiguous(memory_format=CHANNELS_LAST), slope)
    # Prompt-independent skip halves of stages 1..last (bias included), then free the skips.
    pre: list[torch.Tensor | None] = [None]
    for i in range(1, last + 1):
        conv = dec.stages[i].convs[0].conv
        pre.append(_stage_conv(net, i, skips[-2 - i], split.skip[i], conv.bias))
    skips.clear()
    n_prompts = embeddings[0].shape[1]
    if out is None:
        final = pre[last]
        assert final is not None
        out = torch.empty((n_prompts, *final.shape[2:]), dtype=torch.float32, device=final.device)
    for n in range(n_prompts):
        x = fuse_text(x0, embeddings[last][:, n])
        for i in range(1, last + 1):
            up = dec.transpconvs[i](x.contiguous(memory_format=CHANNELS_LAST))
            del x
            y = _stage_conv(net, i, up, split.up[i], None)
            del up
            y += pre[i]  # type: ignore[arg-type]
            y = F.leaky_relu_(_norm(dec.stages[i].convs[0].norm, y), slope)
            x = fuse_text(y, embeddings[last - i][:, n]) if i < last else y
            del y
        out[n] = torch.einsum("bc...,bc->b...", x, embeddings[0][:, n])[0]
        del x
    return out


class FastForward:
    """Callable ``(x (1,1,P0,P1,P2), text (1,N,D_t)) -> logits (N,P0,P1,P2)`` on the fast path."""

    def __init__(self, net: VoxTellNetwork) -> None:
        net.to(memory_format=CHANNELS_LAST)
        self.net = net
        self.split = SplitDecoderWeights(net)

    def __call__(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        if x.shape[0] != 1:
            raise ValueError("the fast path runs one patch at a time")
        skips = encode(self.net, x)
        embeddings = self.net.mask_embeddings(skips, text)
        return decode(self.net, self.split, skips, embeddings)
