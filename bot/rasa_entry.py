"""`python -m bot.rasa_entry <rasa arguments>`: Rasa's own command line, with the trained TensorFlow models
loaded without Rasa's one-example training step (bot.model_loading: a server is ready in about half the
time). Every Rasa server of the project (make run, the production topology, Kubernetes, the tests) starts
through here; `rasa train` needs no change and keeps `python -m rasa`."""

from __future__ import annotations


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot.model_loading import install

    install()
    rasa_main()


if __name__ == "__main__":
    main()
