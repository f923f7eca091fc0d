"""Loads Rasa's TensorFlow models (DIET, ResponseSelector, TED) without a training step.

Rasa 3.6's `RasaModel.load` builds a model's variables by compiling the model and fitting it on one example,
which traces a full training step (forward pass, gradients, optimizer) for each of the three models: about
20 of the 40 s a Rasa server needs to load this project's model, on every start, restart and publish. The
variables a prediction needs are built just as well by one eager prediction; the trained weights are then
restored over them and the prediction graph is traced once, as Rasa does. The optimizer's state in the
checkpoint is not needed to predict and stays unrestored. Fine-tuning (`rasa train --finetune`) and a load
without a prediction example keep Rasa's own path. tests/test_model_loading.py checks that both paths give
the same predictions.

`install()` is called by the Rasa process's entry point (bot.rasa_entry), never on import."""

from __future__ import annotations

from typing import Any, Callable

_ORIGINAL: Callable[..., Any] | None = None


def load_for_prediction(cls: Any, model_file_name: str, model_data_example: Any,
                        predict_data_example: Any = None, finetune_mode: bool = False,
                        *args: Any, **kwargs: Any) -> Any:
    """`RasaModel.load`'s contract: a model with the trained weights, ready to predict."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.train_utils import create_data_generators

    assert _ORIGINAL is not None
    if finetune_mode or predict_data_example is None:
        return _ORIGINAL(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                         *args, **kwargs)
    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    # compiled as Rasa does, so that `fit` (fine-tuning a loaded model) still works
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                  run_eagerly=config.get(RUN_EAGERLY))
    generator, _ = create_data_generators(model_data=predict_data_example, batch_sizes=1, epochs=1, shuffle=False)
    batch_in = next(iter(generator))[0]
    # one eager prediction creates every variable a prediction reads (label embeddings included)
    model._training = False
    model.prepare_for_predict()
    model.batch_predict(batch_in)
    model._training = None
    model.load_weights(model_file_name).expect_partial()
    # the direct prepare_for_predict call left `prepared_for_prediction` unset, so this prepares again from the
    # trained weights (the label embeddings above came from the initial ones) and traces the prediction graph
    model.run_inference(predict_data_example)
    return model


def install() -> None:
    """Replaces `RasaModel.load` in this process (idempotent)."""
    global _ORIGINAL
    from rasa.utils.tensorflow.models import RasaModel

    if _ORIGINAL is None:
        _ORIGINAL = RasaModel.load.__func__  # type: ignore[attr-defined]
        RasaModel.load = classmethod(load_for_prediction)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Rasa's own `RasaModel.load` again (for the comparison test)."""
    global _ORIGINAL
    from rasa.utils.tensorflow.models import RasaModel

    if _ORIGINAL is not None:
        RasaModel.load = classmethod(_ORIGINAL)  # type: ignore[method-assign,assignment]
        _ORIGINAL = None


def load_agent(model: str) -> Any:
    """A Rasa Agent for `model`, loaded as the servers load it (for in-process parsing: evaluation, bench):
    the same TensorFlow thread settings from the environment as `rasa run` applies, the same loading."""
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.environment import setup_tf_environment

    setup_tf_environment()
    install()
    return Agent.load(model)
