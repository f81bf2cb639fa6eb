"""The preset gallery: each preset is a page and the link parameters that configure it, so a preset
is exactly a shared link (and goes through the same validation)."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from .pages import PAGES, page_link


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    blurb: str
    page: str  # a key of ui.pages.PAGES
    query: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return PAGES[self.page].path


PRESETS: tuple[Preset, ...] = (
    Preset("extreme_rates", "Extreme learning rates on Rosenbrock",
           "Over 10,000 steps Adam's per-parameter rates span three decades: far too small in the "
           "valley's walls, then far above the stable SGD rate once the gradients fade. AMSGrad's can "
           "only shrink; AdaBound's are held in a band around final_lr.",
           "lens",
           {"ls": "rosenbrock", "opt": "adam,amsgrad,adabound", "T": "10000",
            "adam.lr": "0.05", "amsgrad.lr": "0.05", "adabound.lr": "0.05", "adabound.final_lr": "0.01"}),
    Preset("adam_to_sgd", "AdaBound: from Adam to SGD",
           "With gamma = 0.01 the band closes within the run: AdaBound starts on Adam's path and ends "
           "moving like momentum SGD at final_lr.",
           "lens",
           {"ls": "rosenbrock", "opt": "momentum,adam,adabound", "T": "2000", "momentum.lr": "0.001",
            "adam.lr": "0.04", "adabound.lr": "0.04", "adabound.final_lr": "0.001", "adabound.gamma": "0.01"}),
    Preset("momentum_beale", "Momentum overshoots on Beale",
           "Heavy-ball and Nesterov momentum build up speed in Beale's flat valley and shoot past the "
           "turn that plain SGD follows.",
           "playground",
           {"ls": "beale", "opt": "sgd,momentum,nesterov", "x0": "1.5", "y0": "1.5", "T": "1000",
            "sgd.lr": "0.003", "momentum.lr": "0.003", "nesterov.lr": "0.003"}),
    Preset("rescaling", "Adam is invariant to diagonal rescaling",
           "Squeeze y tenfold on a quadratic and its y-gradient grows 100-fold: SGD at a rate that "
           "worked now diverges and momentum zig-zags, while Adam takes exactly the same path, since "
           "it divides by the gradient's own scale.",
           "rescaling",
           {"ls": "ill_conditioned", "opt": "sgd,momentum,adam", "s": "10", "T": "300", "sgd.lr": "0.02",
            "momentum.lr": "0.002", "adam.lr": "0.1"}),
    Preset("bias_correction", "What bias correction does",
           "Without bias correction Adam's first steps are about 3 times too large (and its moment "
           "estimates too small): watch the first few steps on the ill-conditioned quadratic.",
           "playground",
           {"ls": "ill_conditioned", "opt": "adam,adam_nobc", "T": "300", "adam.lr": "0.1",
            "adam_nobc.lr": "0.1", "frame": "first"}),
    Preset("online_adabound", "AdaBound Section 3, C = 3",
           "The paper's adversarial example: Adam (β₂ = 0.04) drifts the wrong way and never reaches the "
           "optimal x < 0; SGD, AMSGrad and AdaBound get there.",
           "online",
           {"problem": "adabound", "C": "3", "opt": "sgd,adam,amsgrad,adabound,amsbound", "b1": "0", "b2": "0.04",
            "x0": "0.5", "T": "3000", "mode": "constant", "sgd.lr": "0.01", "adam.lr": "0.01", "amsgrad.lr": "0.01",
            "adabound.lr": "0.01", "adabound.final_lr": "0.01", "adabound.gamma": "0.01", "amsbound.lr": "0.01",
            "amsbound.final_lr": "0.01", "amsbound.gamma": "0.01"}),
    Preset("online_reddi", "Reddi, C = 3",
           "Reddi et al.'s example: one large gradient against two small ones. Adam goes to +1, the worst "
           "point; AdaBound follows it at first, then turns to the optimum −1.",
           "online",
           {"problem": "reddi", "C": "3", "opt": "sgd,adam,amsgrad,adabound,amsbound", "b1": "0", "b2": "0.1",
            "x0": "0", "T": "6000", "mode": "constant", "sgd.lr": "0.01", "adam.lr": "0.01", "amsgrad.lr": "0.01",
            "adabound.lr": "0.01", "adabound.final_lr": "0.01", "adabound.gamma": "0.001", "amsbound.lr": "0.01",
            "amsbound.final_lr": "0.01", "amsbound.gamma": "0.001"}),
    Preset("network_paper", "Figure 1, live: a real network",
           "A 64-128-10 network learns handwritten digits here, three seeds each of SGD with momentum, Adam "
           "and AdaBound at the paper's settings. After 50 epochs Adam's rates span some four decades; "
           "AdaBound's sit in a band around final_lr.",
           "network", {"opt": "momentum,adam,adabound"}),
    Preset("network_transition", "AdaBound: from Adam to SGD, on a network",
           "γ = 0.01 closes AdaBound's band ten times sooner: watch its rates leave Adam's spread and gather "
           "at final_lr within a few epochs.",
           "network", {"opt": "momentum,adam,adabound", "gamma": "0.01"}),
    Preset("network_raw", "Raw pixels: the tiny rates",
           "Feed the pixels as 0-16 instead of [0, 1]: gradients grow, and Adam's rates drop below 0.01 for "
           "many parameters, rates the paper calls far too small.",
           "network", {"opt": "momentum,adam,adabound", "raw": "1"}),
    Preset("final_lr_lab", "Choosing final_lr and γ",
           "800 settings of AdaBound on Rosenbrock, each from 16 starts, in about a second: the best "
           "final_lr sits just below the curvature's stability limit, and γ decides how far past it a "
           "run survives. Click a cell to watch it on the playground.",
           "lab",
           {"ls": "rosenbrock", "opt": "adabound", "adabound.lr": "0.32"}),
)


def get(key: str) -> Preset:
    for p in PRESETS:
        if p.key == key:
            return p
    raise KeyError(key)


def gallery(columns: int = 3) -> None:
    """Every preset as a card with a link into its configured view."""
    cols = st.columns(columns)
    for i, preset in enumerate(PRESETS):
        with cols[i % columns].container(border=True):
            st.markdown(f"**{preset.title}**")
            st.caption(preset.blurb)
            page_link(preset.page, "Open", icon=":material/play_arrow:", query=preset.query)
