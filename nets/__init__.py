"""The real-network engine: small networks on scikit-learn's digits, many trained at once with
stacked weights, recording the effective learning rate of every parameter (the AdaBound paper's
Figure 1, live). Pure torch, numpy and scikit-learn; importing it imports torch, so the app
imports it only where a page needs it.

    from nets import RunConfig, TrainSpec, train
    result = train(TrainSpec(configs=(RunConfig("adam", lr=1e-3),), seeds=(0, 1), epochs=5))
"""

from .models import DEFAULT_HIDDEN, MODELS, param_count, reference_module
from .optimizers import BOUNDED, OPTIMIZERS, RunConfig
from .recording import HIST_EDGES, PERCENTILES
from .training import DEFAULT_CONFIGS, DEFAULT_DTYPE, DTYPES, NetResult, TrainSpec, train

__all__ = ["BOUNDED", "DEFAULT_CONFIGS", "DEFAULT_DTYPE", "DEFAULT_HIDDEN", "DTYPES", "HIST_EDGES", "MODELS", "NetResult",
           "OPTIMIZERS", "PERCENTILES", "RunConfig", "TrainSpec", "param_count", "reference_module", "train"]
