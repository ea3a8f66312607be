"""Fast inference path: the same weights and the same mathematics, less time and memory.

What differs from :meth:`VoxTellNetwork.forward` (the reference path), and why it is equal:

* **Channels-last 3-D layout** for every convolution (oneDNN's fastest layout on CPU).
* **Instance norm as statistics + one in-place pass** fusing the affine, the residual and the
  leaky ReLU (:mod:`voxtell.model.fast_ops`); equal up to float rounding.
* **No concatenation in the decoder.** ``conv(cat(up, skip))`` is linear in its input, so it
  equals ``conv_up(up) + conv_skip(skip)``. The skip half does not depend on the prompt and is
  computed once per patch for all prompts, in place over the skip it replaces.
* **Decoder stage 0 is prompt-independent** (its input is the raw bottleneck) and runs once.
* **Full-resolution layers by slabs** so that they hold one activation, not three: the stem's
  output is convolved in place and later *recomputed* slab by slab for the residual sum (the
  stem is a cheap 1-channel convolution), and the last decoder stage upsamples and convolves
  slab by slab into the prompt-independent half. For every prompt but the last, that half is
  kept and the stage runs twice by slabs (statistics, then output) instead of being copied.

Tensor layout: ``(B, C, A0, A1, A2)``, batch 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.utils import _triple

from voxtell.model.fast_ops import (
    CHANNELS_LAST,
    SlabStats,
    conv3d_rows,
    conv3d_rows_,
    conv3d_window,
    fuse_text_cl,
    instance_norm_,
    norm_apply_,
    norm_stats,
    slabs,
    upsampled_rows,
)
from voxtell.model.mapped_pages import trim_heap
from voxtell.model.network import VoxTellNetwork

IN_PLACE_BYTES = 64 << 20  # activations from this size on are convolved in place, by slabs


def _cna(unit: Any, x: torch.Tensor, slope: float, act: bool = True) -> torch.Tensor:
    """dynamic-network-architectures ``ConvDropoutNormReLU`` (conv -> norm -> leaky ReLU)."""
    y = unit.conv(x)
    return instance_norm_(y, unit.norm.weight, unit.norm.bias, unit.norm.eps, slope if act else None)


def _same_conv(conv: Any) -> bool:
    """A stride-1, 'same'-padded, ungrouped convolution with odd kernel sizes."""
    k = tuple(conv.weight.shape[2:])
    return (tuple(conv.stride) == (1, 1, 1) and tuple(conv.dilation) == (1, 1, 1) and conv.groups == 1
            and all(s % 2 == 1 for s in k) and tuple(conv.padding) == tuple(s // 2 for s in k))


def _large(x: torch.Tensor) -> bool:
    return x.numel() * x.element_size() >= IN_PLACE_BYTES


def _in_place_ok(conv: Any, x: torch.Tensor) -> bool:
    """A 'same' convolution with C_in == C_out on an activation worth sparing."""
    return _same_conv(conv) and conv.in_channels == conv.out_channels == x.shape[1] and _large(x)


def _conv(conv: Any, x: torch.Tensor) -> torch.Tensor:
    """``conv(x)``, in place over ``x`` when that is allowed and pays (``x`` is consumed)."""
    if _in_place_ok(conv, x):
        return conv3d_rows_(x, conv.weight, conv.bias)
    return conv(x)


def _avg_pool(pool: nn.AvgPool3d, x: torch.Tensor) -> torch.Tensor:
    """``pool(x)`` as a sum of strided views, in channels-last: the CPU kernel would first make a
    full-size contiguous copy of ``x`` (and is slow on this layout). Equal up to rounding."""
    k, s, pad = (tuple(_triple(v)) for v in (pool.kernel_size, pool.stride, pool.padding))
    if k != s or pad != (0, 0, 0) or pool.ceil_mode or any(n % f for n, f in zip(x.shape[2:], k)):
        return pool(x)
    views = [x[:, :, i::k[0], j::k[1], m::k[2]] for i in range(k[0]) for j in range(k[1]) for m in range(k[2])]
    out = views[0].clone(memory_format=CHANNELS_LAST)
    for view in views[1:]:
        out += view
    return out.div_(len(views))


def _basic_block(block: Any, x: torch.Tensor, slope: float) -> torch.Tensor:
    """``BasicBlockD``: conv1 -> conv2 (no act) + residual (avg-pool, 1x1 conv/norm) -> act."""
    skip = block.skip
    if isinstance(skip, nn.Sequential) and len(skip) > 0:
        residual = x  # computed first: its pooled temporary is gone before the main branch grows
        for module in skip:
            if hasattr(module, "conv"):
                residual = _cna(module, residual, slope, act=False)
            elif isinstance(module, nn.AvgPool3d):
                residual = _avg_pool(module, residual)
            else:
                residual = module(residual)
        residual = residual.contiguous(memory_format=CHANNELS_LAST)
    else:
        residual = x
    y = _cna(block.conv1, x, slope)
    y = _conv(block.conv2.conv, y)
    n = block.conv2.norm
    return instance_norm_(y, n.weight, n.bias, n.eps, slope, residual=residual)


def _recomputable_stem(encoder: Any, x: torch.Tensor) -> bool:
    """v1.1 shape: one stem conv (stride 1) feeding an identity-skip block convolvable in place."""
    stem = list(encoder.stem.convs)
    first = encoder.stages[0].blocks[0]
    if len(stem) != 1 or not _same_conv(stem[0].conv):  # recomputed by 'same' slab convolutions
        return False
    if isinstance(first.skip, nn.Sequential) and len(first.skip) > 0:
        return False
    width = stem[0].conv.out_channels
    probe = torch.empty((1, width, *x.shape[2:]), device="meta")
    return _in_place_ok(first.conv1.conv, probe) and _in_place_ok(first.conv2.conv, probe)


def _stem_and_first_block(encoder: Any, x: torch.Tensor, slope: float) -> torch.Tensor:
    """Stem + first block of stage 0 holding one full-resolution activation.

    The block's residual is the stem output, which the in-place conv1 overwrites; it is
    recomputed slab by slab from the 1-channel input (with the saved norm statistics) when the
    block adds it."""
    stem = encoder.stem.convs[0]
    block = encoder.stages[0].blocks[0]
    a = stem.conv(x)
    stem_mean, stem_scale = norm_stats(a, stem.norm.weight, stem.norm.eps)
    norm_apply_(a, stem_mean, stem_scale, stem.norm.bias, slope)
    conv3d_rows_(a, block.conv1.conv.weight, block.conv1.conv.bias)
    n1 = block.conv1.norm
    instance_norm_(a, n1.weight, n1.bias, n1.eps, slope)
    conv3d_rows_(a, block.conv2.conv.weight, block.conv2.conv.bias)
    n2 = block.conv2.norm
    mean2, scale2 = norm_stats(a, n2.weight, n2.eps)
    for r0, r1 in slabs(a.shape[2]):
        residual = conv3d_rows(x, stem.conv.weight, stem.conv.bias, r0, r1)
        norm_apply_(residual, stem_mean, stem_scale, stem.norm.bias, slope)
        norm_apply_(a[:, :, r0:r1], mean2, scale2, n2.bias, slope, residual=residual)
    return a


def encode(net: VoxTellNetwork, x: torch.Tensor) -> list[torch.Tensor]:
    """Fast ResidualEncoder forward: ``x`` (1, 1, P0, P1, P2) -> skips (channels-last)."""
    slope = net.config.negative_slope
    encoder: Any = net.encoder
    x = x.contiguous(memory_format=CHANNELS_LAST)
    skips = []
    for s, stage in enumerate(encoder.stages):
        blocks = list(stage.blocks)
        if s == 0 and _recomputable_stem(encoder, x):
            x = _stem_and_first_block(encoder, x, slope)
            blocks = blocks[1:]
        elif s == 0:
            for unit in encoder.stem.convs:
                x = _cna(unit, x, slope)
        for block in blocks:
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


def _skip_half(net: VoxTellNetwork, split: SplitDecoderWeights, i: int, skip: torch.Tensor) -> torch.Tensor:
    """Prompt-independent half of decoder stage ``i`` (bias included); in place over a large skip."""
    decoder: Any = net.decoder
    conv = decoder.stages[i].convs[0].conv
    w = split.skip[i]
    if _same_conv(conv) and w.shape[0] == w.shape[1] == skip.shape[1] and _large(skip):
        return conv3d_rows_(skip, w, conv.bias)
    return _stage_conv(net, i, skip, w, conv.bias)


def _slab_upsampling_ok(net: VoxTellNetwork, i: int) -> bool:
    dec: Any = net.decoder
    tconv, conv = dec.transpconvs[i], dec.stages[i].convs[0].conv
    return (tuple(tconv.kernel_size) == tuple(tconv.stride) and tuple(tconv.padding) == (0, 0, 0)
            and tuple(tconv.output_padding) == (0, 0, 0) and _same_conv(conv))


def _upsampled_stage(net: VoxTellNetwork, split: SplitDecoderWeights, i: int,
                     source: Callable[[int, int], torch.Tensor], n_source_rows: int,
                     pre: torch.Tensor, a: int, b: int) -> torch.Tensor:
    """Rows ``[a, b)`` of decoder stage ``i``'s conv output (before its norm)."""
    dec: Any = net.decoder
    tconv, w = dec.transpconvs[i], split.up[i]
    window = upsampled_rows(source, n_source_rows, tconv.weight, tconv.bias, tuple(tconv.stride), a, b,
                            w.shape[2] // 2)
    y = conv3d_window(window, w, None)
    del window
    y += pre[:, :, a:b]
    return y


def _stage(net: VoxTellNetwork, split: SplitDecoderWeights, i: int, x: torch.Tensor, pre: torch.Tensor,
           consume: bool) -> torch.Tensor:
    """Decoder stage ``i`` (< last) for one prompt: conv(cat(up(x), skip)) -> norm -> act.

    Large stages go slab by slab without a full-size upsampled map, accumulating into ``pre``
    itself when ``consume`` (the last prompt), else into a copy."""
    dec: Any = net.decoder
    norm = dec.stages[i].convs[0].norm
    if _slab_upsampling_ok(net, i) and _large(pre):
        y = pre if consume else pre.clone(memory_format=CHANNELS_LAST)
        source = lambda first, last: x[:, :, first:last]  # noqa: E731
        for a, b in slabs(y.shape[2]):
            y[:, :, a:b] = _upsampled_stage(net, split, i, source, x.shape[2], y, a, b)
    else:
        up = dec.transpconvs[i](x)
        y = _stage_conv(net, i, up, split.up[i], None)
        del up
        y += pre
    return instance_norm_(y, norm.weight, norm.bias, norm.eps, net.config.negative_slope)


def _last_stage(net: VoxTellNetwork, split: SplitDecoderWeights, y_prev: torch.Tensor, e_prev: torch.Tensor,
                pre: torch.Tensor, embedding: torch.Tensor, consume: bool) -> torch.Tensor:
    """Last decoder stage and the mask head for one prompt: logits (P0, P1, P2).

    ``y_prev`` is the previous stage's output before text fusion (1, C', P0/2, ...), fused with
    ``e_prev`` row by row as needed; ``pre`` the prompt-independent half (1, C, P0, ...);
    ``embedding`` ``e_0`` (1, C). With ``consume`` the stage accumulates into ``pre`` itself;
    otherwise ``pre`` is kept and the stage is computed twice slab by slab (statistics, then
    output) instead of holding a full-size copy."""
    dec: Any = net.decoder
    i = dec.n_stages - 1
    norm = dec.stages[i].convs[0].norm
    slope = net.config.negative_slope
    if not (_slab_upsampling_ok(net, i) and _large(pre)):
        y = _stage(net, split, i, fuse_text_cl(y_prev, e_prev), pre, consume)
        return torch.einsum("bc...,bc->b...", y, embedding)[0]

    def source(first: int, last: int) -> torch.Tensor:
        return fuse_text_cl(y_prev[:, :, first:last], e_prev)

    def rows(a: int, b: int) -> torch.Tensor:
        return _upsampled_stage(net, split, i, source, y_prev.shape[2], pre, a, b)

    if consume:
        for a, b in slabs(pre.shape[2]):
            pre[:, :, a:b] = rows(a, b)
        instance_norm_(pre, norm.weight, norm.bias, norm.eps, slope)
        return torch.einsum("bc...,bc->b...", pre, embedding)[0]
    stats = SlabStats()
    for a, b in slabs(pre.shape[2]):
        stats.add(rows(a, b))
    mean, scale = stats.scale(norm.weight, norm.eps)
    logits = torch.empty(pre.shape[2:], dtype=pre.dtype, device=pre.device)
    for a, b in slabs(pre.shape[2]):
        y = norm_apply_(rows(a, b), mean, scale, norm.bias, slope)
        logits[a:b] = torch.einsum("bc...,bc->b...", y, embedding)[0]
    return logits


def decode(net: VoxTellNetwork, split: SplitDecoderWeights, skips: list[torch.Tensor],
           embeddings: list[torch.Tensor], out: torch.Tensor | None = None) -> torch.Tensor:
    """Decoder for all prompts with shared prompt-independent work.

    Args:
        skips: encoder outputs for batch 1 (consumed: the list is emptied, the largest skip is
            overwritten, to free memory).
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
    y0 = _cna(stage0, torch.cat((x0, skips[-2]), dim=1).contiguous(memory_format=CHANNELS_LAST), slope)
    del x0
    pre: list[torch.Tensor | None] = [None]
    for i in range(1, last + 1):
        pre.append(_skip_half(net, split, i, skips[-2 - i]))
    skips.clear()
    n_prompts = embeddings[0].shape[1]
    shape = pre[last].shape[2:]  # type: ignore[union-attr]
    if out is None:
        out = torch.empty((n_prompts, *shape), dtype=torch.float32, device=y0.device)
    for n in range(n_prompts):
        final = n == n_prompts - 1  # the prompt-independent halves can be consumed
        if y0.device.type == "cpu" and _large(pre[last]):  # type: ignore[arg-type]
            trim_heap()  # only pays (and is only worth its milliseconds) for large patches
        y = y0
        for i in range(1, last):
            x = fuse_text_cl(y, embeddings[last - i + 1][:, n])
            y = _stage(net, split, i, x, pre[i], consume=final)  # type: ignore[arg-type]
            del x
            if final:
                pre[i] = None
        out[n] = _last_stage(net, split, y, embeddings[1][:, n], pre[last], embeddings[0][:, n],  # type: ignore[arg-type]
                             consume=final)
        del y
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
