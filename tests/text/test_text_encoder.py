"""Text path: golden embeddings, bank, persistent cache, placement and idle unloading."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.golden import GOLDEN
from voxtell.text import PromptCache, PromptEmbedder, load_embedding_bank, save_embedding_bank
from voxtell.text.encoder import TextEncoder

TINY = GOLDEN / "tiny-qwen3"


def test_tiny_qwen3_matches_official_embeddings_fp32() -> None:
    golden = np.load(TINY / "golden_embeddings.npz")
    embedder = PromptEmbedder(str(TINY), torch.device("cpu"), precision="fp32", idle_unload_s=None)
    out = embedder.embed(list(golden["prompts"]))
    assert out.dtype == torch.float32 and out.shape == (6, 64)
    np.testing.assert_allclose(out.numpy(), golden["embeddings"], atol=1e-5, rtol=0)


def test_lower_casing_and_chunking_do_not_change_embeddings() -> None:
    embedder = PromptEmbedder(str(TINY), torch.device("cpu"), precision="fp32", idle_unload_s=None)
    a = embedder.embed(["LEFT Kidney"])
    embedder2 = PromptEmbedder(str(TINY), torch.device("cpu"), precision="fp32", idle_unload_s=None)
    b = embedder2.embed(["left kidney", "a much longer prompt that pads the other one on the left"])[:1]
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)


def test_bank_hits_never_load_the_encoder(tmp_path: Path) -> None:
    bank = {"Liver": np.full(64, 0.5, np.float16), "spleen": np.full(64, -1.0, np.float16)}
    path = save_embedding_bank(tmp_path / "bank.npz", bank)
    loaded = load_embedding_bank(path)
    assert sorted(loaded) == ["liver", "spleen"] and loaded["liver"].dtype == np.float16
    embedder = PromptEmbedder(str(TINY), torch.device("cpu"), bank=path)
    out = embedder.embed(["LIVER", "spleen"])
    assert not embedder.is_loaded and embedder.encode_calls == 0
    np.testing.assert_array_equal(out.numpy(), np.stack([np.full(64, 0.5), np.full(64, -1.0)]).astype(np.float32))
    assert embedder.vocabulary() == ["liver", "spleen"]


def test_persistent_cache_survives_a_new_instance(tmp_path: Path) -> None:
    first = PromptEmbedder(str(TINY), torch.device("cpu"), precision="fp32", cache_dir=tmp_path, idle_unload_s=None)
    a = first.embed(["prostate tumor", "liver"])
    assert first.encode_calls == 1
    again = first.embed(["liver"])
    assert first.encode_calls == 1, "a repeated prompt must not touch the encoder"
    np.testing.assert_array_equal(again.numpy(), a[1:].numpy())
    second = PromptEmbedder(str(TINY), torch.device("cpu"), precision="fp32", cache_dir=tmp_path, idle_unload_s=None)
    b = second.embed(["Prostate Tumor", "liver"])
    assert not second.is_loaded and second.encode_calls == 0
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    other_precision = PromptEmbedder(str(TINY), torch.device("cpu"), precision="bf16", cache_dir=tmp_path)
    other_precision.embed(["liver"])
    assert other_precision.encode_calls == 1, "the cache key includes the encoder identity"


def _writer(cache_dir: str, worker: int, n: int) -> None:
    cache = PromptCache(cache_dir)
    for i in range(n):
        cache.put("enc", {f"prompt {worker}-{i}": np.full(8, worker * 1000 + i, np.float32)})


def test_two_processes_write_the_cache_concurrently(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, 60)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    got = PromptCache(tmp_path).get("enc", [f"prompt {w}-{i}" for w in range(2) for i in range(60)])
    assert len(got) == 120
    assert got["prompt 1-59"][0] == 1059.0


def test_corrupt_cache_is_rebuilt_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / PromptCache.FILE_NAME).write_bytes(b"this is not a sqlite database" * 100)
    cache = PromptCache(tmp_path)
    assert "rebuilt" in caplog.text
    cache.put("enc", {"liver": np.ones(4, np.float32)})
    assert list(PromptCache(tmp_path).get("enc", ["liver"])) == ["liver"]
    assert any(p.name.startswith(PromptCache.FILE_NAME + ".corrupt") for p in tmp_path.iterdir())


def test_placement_on_cpu_and_idle_unload_are_observable() -> None:
    now = [0.0]
    enc = TextEncoder(str(TINY), torch.device("cpu"), precision="fp32", placement="offload",
                      idle_unload_s=600, clock=lambda: now[0])
    assert enc.placement == "cpu", "without CUDA everything stays on the CPU"
    assert not enc.is_loaded and enc.location is None
    enc.encode(["liver"])
    assert enc.is_loaded and enc.location == "cpu" and enc.load_count == 1
    now[0] = 599.0
    assert not enc.unload_if_idle() and enc.is_loaded
    now[0] = 601.0
    assert enc.unload_if_idle() and not enc.is_loaded and enc.location is None
    enc.encode(["liver"])
    assert enc.load_count == 2, "an unloaded encoder reloads on the next prompt"
    enc.unload()


def test_idle_timer_unloads_in_the_background() -> None:
    enc = TextEncoder(str(TINY), torch.device("cpu"), precision="fp32", idle_unload_s=0.3)
    enc.encode(["liver"])
    assert enc.is_loaded
    import time

    deadline = time.monotonic() + 10
    while enc.is_loaded and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not enc.is_loaded


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"precision": "int4"}, "text precision"), ({"placement": "disk"}, "text placement")])
def test_bad_settings_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TextEncoder(str(TINY), torch.device("cpu"), **kwargs)


def test_default_precision_is_bf16_on_cpu() -> None:
    enc = TextEncoder(str(TINY), torch.device("cpu"))
    assert enc.precision == "bf16" and enc.placement == "cpu"
