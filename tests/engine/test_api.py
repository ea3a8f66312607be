"""``voxtell.api``: the engine's one front door (cheap to import, every name resolves)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import voxtell.api as api

HEAVY = ("torch", "transformers", "nnunetv2", "dynamic_network_architectures")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120)


def test_importing_the_api_and_its_light_names_leaves_torch_unloaded():
    result = _run(f"""
        import sys
        import voxtell.api as api
        light = [name for name in api.__all__ if name not in api._LAZY]
        for name in light:
            getattr(api, name)
        from voxtell.api import read_volume, write_mask, mask_statistics, pack_array  # noqa: F401
        loaded = [m for m in {HEAVY!r} if m in sys.modules]
        assert not loaded, f"importing voxtell.api loaded {{loaded}}"
        print(len(light))
    """)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(api.__all__) - len(api._LAZY)


def test_every_name_in_all_resolves_to_the_defining_modules_object():
    assert len(set(api.__all__)) == len(api.__all__)
    for name in api.__all__:
        value = getattr(api, name)
        module = api._LAZY.get(name) or getattr(value, "__module__", None)
        if module is not None and name in api._LAZY:
            assert getattr(importlib.import_module(module), name) is value, name
    assert set(api._LAZY) <= set(api.__all__)
    # Nothing public is left out of __all__ (modules and the lazy machinery aside).
    public = {n for n in vars(api) if not n.startswith("_")} - {"annotations", "importlib", "TYPE_CHECKING", "Any"}
    assert public <= set(api.__all__), public - set(api.__all__)


def test_the_server_gets_the_same_objects_as_the_deep_modules():
    from voxtell.inference.predictor import VoxTellPredictor
    from voxtell.io.nifti import LoadedVolume
    from voxtell.io.packed import pack_array

    assert api.VoxTellPredictor is VoxTellPredictor
    assert api.LoadedVolume is LoadedVolume
    assert api.pack_array is pack_array


def test_an_unknown_name_is_an_attribute_error():
    try:
        api.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
    assert "VoxTellPredictor" in dir(api)


def test_the_package_still_offers_the_predictor_lazily():
    result = _run(f"""
        import sys
        import voxtell
        assert not [m for m in {HEAVY!r} if m in sys.modules]
        from voxtell import InferenceCancelled, VoxTellPredictor
        import voxtell.inference.predictor as p
        assert VoxTellPredictor is p.VoxTellPredictor
        assert "torch" in sys.modules
    """)
    assert result.returncode == 0, result.stderr
