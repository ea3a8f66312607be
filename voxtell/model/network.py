"""The VoxTell network, state-dict compatible with the official ``voxtell_v1.1`` checkpoint.

Only the modules inference runs are built: the prompt transformer's self-attention and first
norm, and the image decoder's deep-supervision seg layers, exist in the checkpoint but are
never used (spec §2.4, §2.5), so they are validated by the loader and then dropped.

Tensor layout everywhere: ``(B, C, A0, A1, A2)`` with the spatial axes in the order of the
RAS array the predictor works on (spec §4.1).
"""

from __future__ import annotations

import torch
from dynamic_network_architectures.building_blocks.residual import BasicBlockD
from dynamic_network_architectures.building_blocks.residual_encoders import ResidualEncoder
from dynamic_network_architectures.building_blocks.simple_conv_blocks import StackedConvBlocks
from torch import nn

from voxtell.model.config import ModelConfig


def _mlp(d_in: int, d_hidden: int, d_out: int) -> nn.Sequential:
    """Linear -> GELU (exact erf form) -> Linear; keys ``.0`` and ``.2`` as in the checkpoint."""
    return nn.Sequential(nn.Linear(d_in, d_hidden), nn.GELU(), nn.Linear(d_hidden, d_out))


def _conv_kwargs(config: ModelConfig) -> dict:
    return {
        "conv_op": nn.Conv3d,
        "conv_bias": config.conv_bias,
        "norm_op": nn.InstanceNorm3d,
        "norm_op_kwargs": {"eps": config.norm_eps, "affine": True},
        "dropout_op": None,
        "dropout_op_kwargs": None,
        "nonlin": nn.LeakyReLU,
        "nonlin_kwargs": {"negative_slope": config.negative_slope, "inplace": True},
    }


class CrossAttentionLayer(nn.Module):
    """One pre-norm transformer-decoder layer reduced to what inference runs (spec §3.5).

    Keys: ``multihead_attn.*``, ``linear1``, ``linear2``, ``norm2``, ``norm3``.
    """

    def __init__(self, dim: int, heads: int, ffn_dim: int) -> None:
        super().__init__()
        self.multihead_attn = nn.MultiheadAttention(dim, heads, dropout=0.0)
        self.linear1 = nn.Linear(dim, ffn_dim)
        self.linear2 = nn.Linear(ffn_dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.norm3 = nn.LayerNorm(dim, eps=1e-5)

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """``tgt`` (N, B, Q) queries, ``memory`` (T, B, Q) image tokens, ``pos`` (T, 1, Q)."""
        q_in = self.norm2(tgt)
        attn, _ = self.multihead_attn(q_in, memory + pos, memory, need_weights=False)
        tgt = tgt + attn
        return tgt + self.linear2(torch.relu(self.linear1(self.norm3(tgt))))


class PromptTransformer(nn.Module):
    """Cross-attention-only transformer decoder; prompts never attend to each other."""

    def __init__(self, dim: int, heads: int, ffn_dim: int, n_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(CrossAttentionLayer(dim, heads, ffn_dim) for _ in range(n_layers))
        self.norm = nn.LayerNorm(dim, eps=1e-5)

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            tgt = layer(tgt, memory, pos)
        return self.norm(tgt)


class ImageDecoder(nn.Module):
    """U-Net decoder with text fusion after every stage but the last (spec §3.7).

    ``transpconvs.i`` and ``stages.i`` as in the checkpoint; no seg layers (unused).
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        feats = config.features_per_stage
        heads = config.hyper.num_heads
        n = config.n_stages
        self.transpconvs = nn.ModuleList()
        self.stages = nn.ModuleList()
        for i in range(n - 1):
            out_ch = feats[n - 2 - i]
            in_ch = feats[n - 1] if i == 0 else feats[n - 1 - i] + heads
            stride = config.strides[n - 1 - i]
            self.transpconvs.append(nn.ConvTranspose3d(in_ch, out_ch, stride, stride, bias=True))
            self.stages.append(StackedConvBlocks(
                1, input_channels=2 * out_ch, output_channels=out_ch,
                kernel_size=config.kernel_sizes[n - 2 - i], initial_stride=1, **_conv_kwargs(config)))
        self.stage_widths = tuple(feats[n - 2 - i] for i in range(n - 1))

    @property
    def n_stages(self) -> int:
        return len(self.stages)

    def forward(self, skips: list[torch.Tensor], embeddings: list[torch.Tensor]) -> torch.Tensor:
        """Decode one batch of prompts.

        Args:
            skips: encoder outputs, ``skips[s]`` of shape (B, C_s, ...); the batch axis already
                matches the prompts (prompts folded into the batch, or B = 1 for one prompt).
            embeddings: ``embeddings[j]`` of shape (B, out_j) for j = 0..n_stages-1 (spec §3.6).

        Returns:
            logits (B, A0, A1, A2).
        """
        x = skips[-1]
        last = self.n_stages - 1
        for i in range(self.n_stages):
            x = self.transpconvs[i](x)
            x = torch.cat((x, skips[-2 - i]), dim=1)
            x = self.stages[i](x)
            if i < last:
                x = fuse_text(x, embeddings[last - i])
        return torch.einsum("bc...,bc->b...", x, embeddings[0])


def fuse_text(x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
    """Append ``H_f`` text-fusion channels: ``F[b,h] = Σ_c x[b,c] · E[b,h,c]``.

    ``x`` (B, C, ...), ``embedding`` (B, H_f·C) head-major. Returns (B, C + H_f, ...).
    """
    b, c = x.shape[:2]
    e = embedding.reshape(b, -1, c)
    fused = torch.einsum("bc...,bhc->bh...", x, e)
    return torch.cat((x, fused), dim=1)


class VoxTellNetwork(nn.Module):
    """VoxTell: ResEnc image encoder, prompt transformer, text-fused image decoder.

    ``forward(x (B,1,P0,P1,P2), text (B,N,D_t))`` -> logits (B, N, P0, P1, P2).
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        hp = config.hyper
        feats = list(config.features_per_stage)
        self.encoder = ResidualEncoder(
            input_channels=1, n_stages=config.n_stages, features_per_stage=feats,
            kernel_sizes=[list(k) for k in config.kernel_sizes], strides=[list(s) for s in config.strides],
            n_blocks_per_stage=list(config.n_blocks_per_stage), block=BasicBlockD,
            return_skips=True, disable_default_stem=False, **_conv_kwargs(config))
        self.decoder = ImageDecoder(config)
        q = hp.query_dim
        self.project_bottleneck_embed = _mlp(feats[hp.decoder_layer], q, q)
        self.project_text_embed = _mlp(hp.text_embedding_dim, hp.text_hidden_dim, q)
        self.project_to_decoder_channels = nn.ModuleList(
            _mlp(q, hp.project_to_decoder_hidden_dim, width) for width in config.projection_widths)
        self.register_buffer("pos_embed", torch.zeros(config.n_tokens, 1, q))
        self.transformer_decoder = PromptTransformer(
            q, hp.transformer_heads, hp.transformer_ffn_dim, hp.transformer_layers)

    # -- the three phases, usable separately by the predictor -------------------------------
    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Image encoder: ``x`` (B, 1, P0, P1, P2) -> skips, one (B, C_s, ...) per stage."""
        return self.encoder(x)

    def image_tokens(self, skip: torch.Tensor) -> torch.Tensor:
        """(B, C, g0, g1, g2) -> memory (T, B, Q); token t = a1·g2·g0 + a2·g0 + a0 (spec §3.3)."""
        b, c = skip.shape[:2]
        tokens = skip.permute(3, 4, 2, 0, 1).reshape(-1, b, c)
        return self.project_bottleneck_embed(tokens)

    def mask_embeddings(self, skips: list[torch.Tensor], text: torch.Tensor) -> list[torch.Tensor]:
        """Text (B, N, D_t) -> projections ``e_j`` (B, N, out_j), j = 0..n_stages-2."""
        memory = self.image_tokens(skips[self.config.hyper.decoder_layer])
        tgt = self.project_text_embed(text.transpose(0, 1))
        emb = self.transformer_decoder(tgt, memory, self.pos_embed).transpose(0, 1)
        return [proj(emb) for proj in self.project_to_decoder_channels]

    def decode(self, skips: list[torch.Tensor], embeddings: list[torch.Tensor]) -> torch.Tensor:
        """Image decoder run once per prompt, as the official code does.

        ``skips`` with batch B, ``embeddings[j]`` (B, N, out_j) -> logits (B, N, P0, P1, P2).
        """
        n_prompts = embeddings[0].shape[1]
        outputs = [self.decoder(skips, [e[:, n] for e in embeddings]) for n in range(n_prompts)]
        return torch.stack(outputs, dim=1)

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        if text.ndim == 4:
            text = text.squeeze(2)
        skips = self.encode(x)
        return self.decode(skips, self.mask_embeddings(skips, text))
