"""The real-network page's state: its URL fields (model, optimizers and their rates, AdaBound's
final_lr and gamma, the shared moments, the training's size) and the bounded store of trained runs.

A trained run is kept whole in a store shared by every session, bounded by bytes (not by entries):
a run of the default size is about 2 MB, a run at the budget's edge some 20 MB."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

import optim_core as oc
from runs import fields as fl
from runs import finder
from runs import network as net
from runs.store import ByteStore

from . import state

PAGE = "network"
STORE_BYTES = 96 * 2**20  # every trained run kept for reuse, all sessions together


def _hyper(key: str):
    """The registry's range and default of one AdaBound hyperparameter (one owner)."""
    return oc.OPTIMIZERS["adabound"].param(key)


def fields() -> list[fl.Field]:
    lr = _hyper("lr")
    out = [
        fl.Field("model", "model", "choice", "mlp", choices=("mlp", "cnn")),
        fl.Field("H", "hidden width H", "int", 128, *net.HIDDEN_RANGE, step=16,
                 help="the MLP's hidden layer: 64-H-10"),
        fl.Field("opt", "optimizers", "multi", list(net.DEFAULT_OPTIMIZERS), choices=net.OPTIMIZERS,
                 help="each keeps its colour on every page"),
    ]
    out += [fl.Field(f"lr.{k}", f"{oc.OPTIMIZERS[k].label} lr", "float", net.DEFAULT_LR[k], lr.low, lr.high,
                     log=True, step=net.DEFAULT_LR[k] / 10) for k in net.OPTIMIZERS]
    final_lr, gamma, b1, b2, eps = (_hyper(k) for k in ("final_lr", "gamma", "beta1", "beta2", "eps"))
    wd = _hyper("weight_decay")
    out += [
        fl.Field("final_lr", "final_lr η*", "float", final_lr.default, final_lr.low, final_lr.high, log=True,
                 step=0.01, help=final_lr.help),
        fl.Field("gamma", "γ", "float", gamma.default, gamma.low, gamma.high, log=True, step=1e-4, help=gamma.help),
        fl.Field("b1", "β₁", "float", b1.default, b1.low, b1.high, step=0.01, help=b1.help),
        fl.Field("b2", "β₂", "float", b2.default, b2.low, b2.high, step=0.001, help=b2.help),
        fl.Field("eps", "ε", "float", eps.default, eps.low, eps.high, log=True, step=1e-9, help=eps.help),
        fl.Field("wd", "weight decay (L2)", "float", wd.default, wd.low, wd.high, log=True,
                 help="coupled L2, added to the gradient; the paper's CIFAR runs used 5e-4"),
        fl.Field("mom", "SGD momentum", "float", 0.9, 0.0, 0.999, step=0.05),
        fl.Field("nesterov", "Nesterov", "flag", False),
        fl.Field("batch", "batch size", "int", 64, 8, 512, step=16),
        fl.Field("epochs", "epochs", "int", 50, 1, net.MAX_EPOCHS, step=10),
        fl.Field("seeds", "seeds", "int", 3, 1, net.MAX_SEEDS,
                 help="each seed: its own initialisation and batch order"),
        fl.Field("raw", "raw 0-16 pixels", "flag", False,
                 help="inputs 16 times larger: larger gradients, hence Adam's tiny rates"),
        fl.Field("ep", "histogram epoch", "int", 0, 0, net.MAX_EPOCHS, help="0: the last epoch"),
        fl.Field("g_ep", "grid epochs", "int", net.GRID_EPOCHS, 1, 50, step=5),
    ]
    return out


def page_state() -> state.PageState:
    return state.PageState(PAGE, fields())


def shared_values(values: dict[str, Any]) -> dict[str, Any]:
    """The link: the rates of the optimizers not chosen stay out."""
    chosen = values.get("opt") or ()
    return {k: v for k, v in values.items() if not (k.startswith("lr.") and k[3:] not in chosen)}


@st.cache_resource(show_spinner=False)
def _store() -> ByteStore:
    return ByteStore(STORE_BYTES)


def _kept(spec, compute: Callable[[], Any]):
    """The result for ``spec`` from the store, or computed now and kept."""
    store = _store()
    result = store.get(spec)
    if result is None:
        result = compute()
        store.put(spec, result)
    return result


def trained(spec, progress: Callable[[int, int], None] | None = None):
    """The run of ``spec``, from the store or trained now (``progress`` hears each epoch)."""
    return _kept(spec, lambda: net.train(spec, progress))


def found(spec):
    """The final_lr finder's range test of ``spec``, from the store or run now."""
    return _kept(spec, lambda: finder.network_finder(spec))


def use_suggestion(final_lr: float, sgdm_lr: float) -> None:
    """The finder's "use this": AdaBound at ``final_lr`` beside SGD with momentum at ``sgdm_lr``."""
    chosen = list(st.session_state.get("opt") or [])
    for key in ("momentum", "adabound"):
        if key not in chosen:
            chosen.append(key)
    state.set_values({"final_lr": final_lr, "lr.momentum": sgdm_lr, "opt": chosen})
