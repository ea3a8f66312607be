"""Demo model: a complete, tiny, random-weight model folder in the real layout.

``voxtell-make-demo-model DIR`` writes::

    DIR/plans.json                    64³ patch, widths 8…64, marked "voxtell_web_demo": true
    DIR/voxtell_hyperparameters.json  small query/text widths
    DIR/fold_0/checkpoint_final.pth   every official key (aliases and unused tensors included)
    DIR/text_encoder/                 a tiny random Qwen3 backbone + byte-level BPE tokenizer
    DIR/text_embeddings.npz           an embedding bank of real anatomical prompt names

It lets the CLI, the server and the web app run end to end on a CPU in seconds without the
real weights. Its masks are meaningless; every consumer says so.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import torch

from voxtell.model.checkpoint import save_checkpoint
from voxtell.model.config import CHECKPOINT_FILE, DEMO_MARKER, load_model_config
from voxtell.model.network import VoxTellNetwork
from voxtell.text.template import INSTRUCTION, wrap_prompt

logger = logging.getLogger(__name__)

DEMO_NOTICE = "DEMO MODEL — random weights, masks are meaningless"
TEXT_DIM = 64
DEMO_PROMPTS = (
    "liver", "spleen", "pancreas", "stomach", "gallbladder", "esophagus", "duodenum", "colon",
    "small bowel", "urinary bladder", "prostate", "left kidney", "right kidney", "left adrenal gland",
    "right adrenal gland", "aorta", "inferior vena cava", "portal vein", "heart", "left lung",
    "right lung", "right lung upper lobe", "left lung lower lobe", "trachea", "brain", "brainstem",
    "spinal cord", "L1 vertebra", "L5 vertebra", "sacrum", "left femur", "right femur",
    "left hip", "right hip", "thyroid gland", "liver tumor", "kidney cyst", "lung nodule",
    "prostate tumor", "pancreatic lesion",
)
HYPERPARAMETERS = {
    "decoder_layer": 4, "text_embedding_dim": TEXT_DIM, "num_maskformer_stages": 5, "num_heads": 4,
    "query_dim": 64, "project_to_decoder_hidden_dim": 64, "transformer_layers": 2,
    "transformer_heads": 4, "transformer_ffn_dim": 128, "text_hidden_dim": 128,
}


def demo_plans() -> dict:
    """nnU-Net style plans of the demo network (same structure as the real v1.1 plans)."""
    arch = {
        "n_stages": 6, "features_per_stage": [8, 16, 32, 64, 64, 64],
        "conv_op": "torch.nn.modules.conv.Conv3d", "kernel_sizes": [[3, 3, 3]] * 6,
        "strides": [[1, 1, 1]] + [[2, 2, 2]] * 5, "n_blocks_per_stage": [1, 1, 1, 1, 1, 1],
        "n_conv_per_stage_decoder": [1, 1, 1, 1, 1], "conv_bias": True,
        "norm_op": "torch.nn.modules.instancenorm.InstanceNorm3d",
        "norm_op_kwargs": {"eps": 1e-05, "affine": True}, "dropout_op": None, "dropout_op_kwargs": None,
        "nonlin": "torch.nn.LeakyReLU", "nonlin_kwargs": {"inplace": True},
    }
    return {
        "dataset_name": "VoxTellWebDemo", DEMO_MARKER: True, "demo_notice": DEMO_NOTICE,
        "configurations": {"3d_fullres": {
            "patch_size": [64, 64, 64],
            "architecture": {"network_class_name": "voxtell (demo, random weights)", "arch_kwargs": arch,
                             "_kw_requires_import": ["conv_op", "norm_op", "dropout_op", "nonlin"]},
        }},
    }


def write_text_encoder(target: Path, seed: int = 0) -> Path:
    """A tiny random Qwen3 backbone with a byte-level BPE tokenizer trained on anatomy terms."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3Model

    target.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    corpus = [INSTRUCTION, *(wrap_prompt(p.lower()) for p in DEMO_PROMPTS)]
    tok.train_from_iterator(corpus, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="$A <|endoftext|>", pair="$A <|endoftext|> $B <|endoftext|>",
        special_tokens=[("<|endoftext|>", tok.token_to_id("<|endoftext|>"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
                                   padding_side="left", model_max_length=8192)
    fast.save_pretrained(str(target))
    config = Qwen3Config(vocab_size=tok.get_vocab_size(), hidden_size=TEXT_DIM, intermediate_size=128,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                         max_position_embeddings=512, rms_norm_eps=1e-6, tie_word_embeddings=True)
    torch.manual_seed(seed)
    Qwen3Model(config).eval().save_pretrained(str(target))
    return target


def make_demo_model(target: str | Path, seed: int = 0) -> Path:
    """Write a complete demo model folder (see module docstring); returns its path."""
    from voxtell.text import PromptEmbedder, save_embedding_bank

    target = Path(target).expanduser()
    target.mkdir(parents=True, exist_ok=True)
    (target / "plans.json").write_text(json.dumps(demo_plans(), indent=1))
    (target / "voxtell_hyperparameters.json").write_text(json.dumps(HYPERPARAMETERS, indent=1))
    torch.manual_seed(seed)
    save_checkpoint(VoxTellNetwork(load_model_config(target)), target)
    encoder_dir = write_text_encoder(target / "text_encoder", seed)
    embedder = PromptEmbedder(str(encoder_dir), torch.device("cpu"), precision="fp32", idle_unload_s=None)
    vectors = embedder.embed(list(DEMO_PROMPTS)).numpy()
    save_embedding_bank(target / "text_embeddings.npz", dict(zip(DEMO_PROMPTS, vectors)))
    embedder.unload()
    return target


def _is_complete(model_dir: Path) -> bool:
    return (model_dir / CHECKPOINT_FILE).is_file() and (model_dir / "text_embeddings.npz").is_file()


def ensure_demo_model(target: Path) -> Path:
    """The demo model at ``target``, written atomically on first use.

    Several processes may create it at once (the API node and the workers of ``voxtell-web
    cluster``): each builds its own staging folder, the first rename wins, and a folder that is
    already complete is never replaced, since another process may be reading it.
    """
    if _is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=target.parent))
    try:
        make_demo_model(staging)
        if not _is_complete(target):
            if target.exists():  # an incomplete folder (an interrupted older version): removed
                shutil.rmtree(target, ignore_errors=True)
            try:
                staging.rename(target)
            except OSError:
                if not _is_complete(target):  # not another process's complete model: a real error
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voxtell-make-demo-model", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="folder to write the demo model into")
    args = parser.parse_args(argv)
    try:
        path = make_demo_model(args.directory)
    except OSError as exc:
        sys.stderr.write(f"voxtell-make-demo-model: cannot write {args.directory}: {exc.strerror or exc}\n")
        return 2
    sys.stdout.write(f"Wrote demo model to {path} ({DEMO_NOTICE}).\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
