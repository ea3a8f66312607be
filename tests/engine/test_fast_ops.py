"""Slab-wise building blocks of the fast path equal the whole-volume operations they replace."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import voxtell.model.fast as fast
import voxtell.model.fast_ops as ops
from tests.tiny_model import build_tiny_model_dir
from voxtell.model.mapped_pages import MappedPageDropper

CL = torch.channels_last_3d


def _cl(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)).contiguous(memory_format=CL)


@pytest.fixture(autouse=True)
def small_slabs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "ROWS", 3)  # many slabs, a short last one: every boundary case


@pytest.mark.parametrize("kernel", [1, 3, 5])
def test_in_place_slab_convolution_equals_conv3d(kernel: int) -> None:
    x = _cl(1, 6, 13, 9, 7)
    w, b = torch.randn(6, 6, kernel, kernel, kernel), torch.randn(6)
    expected = F.conv3d(x, w, b, padding=kernel // 2)
    out = ops.conv3d_rows_(x, w.contiguous(memory_format=CL), b)
    assert out.data_ptr() == x.data_ptr(), "computed in place"
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_in_place_convolution_refuses_a_channel_change() -> None:
    with pytest.raises(ValueError, match="as many output as input channels"):
        ops.conv3d_rows_(_cl(1, 4, 8, 8, 8), torch.randn(6, 4, 3, 3, 3), None)


def test_upsampled_rows_equal_transposed_convolution_then_padding() -> None:
    x = _cl(1, 5, 7, 6, 5)
    w, b = torch.randn(5, 4, 2, 2, 2), torch.randn(4)
    full = F.pad(F.conv_transpose3d(x, w, b, stride=2), (0, 0, 0, 0, 1, 1))  # rows -1 .. 14
    for a, b_ in ops.slabs(14):
        rows = ops.upsampled_rows(lambda lo, hi: x[:, :, lo:hi], 7, w, b, (2, 2, 2), a, b_, pad=1)
        torch.testing.assert_close(rows, full[:, :, a:b_ + 2], rtol=1e-5, atol=1e-5)


def test_instance_norm_with_residual_and_activation_equals_torch() -> None:
    x = _cl(1, 4, 10, 9, 8) * 3 + 50  # a large offset: the variance must stay exact
    r = _cl(1, 4, 10, 9, 8, seed=1)
    w, b = torch.rand(4) + 0.5, torch.randn(4)
    expected = F.leaky_relu(F.instance_norm(x, weight=w, bias=b, eps=1e-5) + r, 0.01)
    out = ops.instance_norm_(x.clone(memory_format=CL), w, b, 1e-5, slope=0.01, residual=r)
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-4)


def test_statistics_merged_over_slabs_equal_whole_volume_statistics() -> None:
    x = _cl(1, 3, 11, 6, 5) * 2 + 7
    stats = ops.SlabStats()
    for a, b in ops.slabs(11):
        stats.add(x[:, :, a:b])
    mean, scale = stats.scale(torch.ones(3), 0.0)
    torch.testing.assert_close(mean, x.mean(dim=(0, 2, 3, 4)))
    torch.testing.assert_close(scale, 1 / x.var(dim=(0, 2, 3, 4), unbiased=False).sqrt(), rtol=1e-5, atol=1e-5)


def test_text_fusion_in_channels_last_equals_network_fusion() -> None:
    from voxtell.model.network import fuse_text

    x, e = _cl(1, 4, 5, 6, 7), torch.randn(1, 3 * 4)
    fused = ops.fuse_text_cl(x, e)
    assert fused.is_contiguous(memory_format=CL)
    torch.testing.assert_close(fused, fuse_text(x, e))


def test_fast_path_with_every_slab_code_path_matches_reference(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Forcing the memory-saving paths onto the tiny model (in-place convs, recomputed stem,
    slab-wise upsampling, two-pass last stage for all prompts but the last)."""
    from voxtell.inference.predictor import VoxTellPredictor

    monkeypatch.setattr(fast, "IN_PLACE_BYTES", 1)
    predictor = VoxTellPredictor(build_tiny_model_dir(tmp_path), device="cpu", use_precomputed_embeddings=False)
    net = predictor.network
    x = torch.randn(1, 1, 64, 64, 64, generator=torch.Generator().manual_seed(0))
    emb = torch.randn(1, 3, 16, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        expected = net(x, emb)[0]
        calls = {"stem": 0}
        original = fast._stem_and_first_block

        def counting(*args: object) -> torch.Tensor:
            calls["stem"] += 1
            return original(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(fast, "_stem_and_first_block", counting)
        got = fast.FastForward(net)(x, emb)
    assert calls["stem"] == 1, "the recomputed-stem path ran"
    torch.testing.assert_close(got, expected, rtol=1e-3, atol=1e-3 * float(expected.std()))
    assert ((got > 0) == (expected > 0)).float().mean() >= 0.9999


def _resident_bytes(ranges: list[tuple[int, int]]) -> int:
    """Resident bytes (``Rss`` in /proc/self/smaps) of the mappings inside ``ranges``."""
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split(maxsplit=1)[0]
            if "-" in head and not head.endswith(":"):
                lo, hi = (int(v, 16) for v in head.split("-"))
                inside = any(a <= lo and hi <= b for a, b in ranges)
            elif inside and head == "Rss:":
                total += int(line.split()[1]) * 1024
    return total


def test_page_dropper_gives_back_the_pages_of_its_file_only(tmp_path: Path) -> None:
    path = tmp_path / "t.pth"
    n = 1 << 20  # 4 MiB of float32
    torch.save({"w": torch.arange(n, dtype=torch.float32)}, path)
    mapped = torch.load(path, mmap=True, weights_only=True)["w"]
    heap = torch.arange(n, dtype=torch.float32)
    drop = MappedPageDropper(path)
    assert drop.ranges, "the checkpoint's mapping is found in /proc/self/maps"
    assert torch.equal(mapped, heap)  # reads every page of the tensor: now resident
    resident = _resident_bytes(drop.ranges)
    assert resident >= 4 * n
    drop(heap)  # not a mapping of the file: must be left alone
    assert torch.equal(heap, torch.arange(n, dtype=torch.float32))
    assert _resident_bytes(drop.ranges) == resident
    drop(mapped)  # its pages go back to the file...
    assert _resident_bytes(drop.ranges) <= resident - 4 * n + 2 * 4096, "the tensor's pages were given back"
    assert torch.equal(mapped, torch.arange(n, dtype=torch.float32)), "... and are read again on access"
    assert _resident_bytes(drop.ranges) >= 4 * n
