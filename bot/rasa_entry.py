"""`python -m bot.rasa_entry <rasa arguments>`: Rasa's own command line with two measured speed-ups
installed first — the trained TensorFlow models loaded without Rasa's one-example training step
(bot.model_loading: a server is ready in less than half the time) and the action server's responses validated
against a schema checked once, not on every custom action (bot.action_validation). Every Rasa server of the
project (make run, the production topology, Kubernetes, the tests) starts through here; `rasa train` needs
neither and keeps `python -m rasa`."""

from __future__ import annotations


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot import action_validation, model_loading

    model_loading.install()
    action_validation.install()
    rasa_main()


if __name__ == "__main__":
    main()
