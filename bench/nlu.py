"""Intent accuracy per language on the held-out NLU files (training never sees tests/data/nlu/),
counting FAQ topics by their full retrieval intent (faq/<topic>), plus out-of-scope behaviour.

`--split dev` scores the in-scope DEVELOPMENT set (tests/data/nlu_dev/) instead and lists every miss: that set
alone is looked at to decide what training data to write; the TEST set's misses are only counted. `--split dev2`
scores the second development set (tests/data/nlu_dev2/, written on 2026-11-30 without sight of the training
data, so it stays independent: classifier changes are chosen on it, and no training data is written from it).

Run: python -m bench.nlu [--split dev|dev2]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from bench.common import quiet_logs, summary_ms, write_result
from bot import SUPPORTED_LANGUAGES
from bot.lifecycle.parsing import label_of
from bot.local_servers import MODEL
from bot.paths import ROOT

HELD_OUT = ROOT / "tests" / "data" / "nlu"
DEVELOPMENT = ROOT / "tests" / "data" / "nlu_dev"
SECOND_DEVELOPMENT = ROOT / "tests" / "data" / "nlu_dev2"
SPLITS = {"test": HELD_OUT, "dev": DEVELOPMENT, "dev2": SECOND_DEVELOPMENT}
# Everyday messages unrelated to the product: should land on out_of_scope or the fallback.
UNRELATED = ROOT / "tests" / "data" / "unrelated.yml"


def predicted_intent(parse: dict[str, Any]) -> str:
    """The intent, with FAQ topics as faq/<topic> from the response selector's choice (as the editor's
    evaluation labels it)."""
    return label_of(parse)[0]


def held_out(language: str, folder: Path = HELD_OUT) -> list[tuple[str, str]]:
    data = yaml.safe_load((folder / f"{language}.yml").read_text(encoding="utf-8"))
    pairs = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
            if text:
                pairs.append((text, block["intent"]))
    return pairs


async def evaluate(folder: Path = HELD_OUT) -> dict[str, Any]:
    from bot.model_loading import load_agent

    agent = load_agent(str(MODEL))
    results: dict[str, Any] = {"per_language": {}}
    timings: list[float] = []
    confusions: Counter[tuple[str, str]] = Counter()
    language_hits: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for lang in SUPPORTED_LANGUAGES:
        pairs = held_out(lang, folder)
        hits = 0
        for text, expected in pairs:
            start = time.perf_counter()
            parse = await agent.parse_message(text)
            timings.append(time.perf_counter() - start)
            got = predicted_intent(parse)
            # For unrelated messages the fallback is as good as out_of_scope: both say "not my topic".
            if expected == "out_of_scope" and got == "nlu_fallback":
                got = expected
            hits += got == expected
            if got != expected:
                confusions[(expected, got)] += 1
                misses.append(f"{lang}: {expected} -> {got}: {text}")
            language_hits[lang][0] += parse.get("language") == lang
            language_hits[lang][1] += 1
        results["per_language"][lang] = {"messages": len(pairs), "intent_accuracy": round(100 * hits / len(pairs), 1)}
        results["per_language"][lang]["language_accuracy"] = round(
            100 * language_hits[lang][0] / language_hits[lang][1], 1)
    results["top_confusions"] = [f"{e} -> {g}: {n}" for (e, g), n in confusions.most_common(15)]
    results["parse_in_process"] = summary_ms(timings)
    if folder != HELD_OUT:
        results["misses"] = misses  # development set only: the test set's messages are not looked at
        return results

    unrelated = yaml.safe_load(UNRELATED.read_text(encoding="utf-8"))["messages"]
    caught = 0
    missed = []
    for item in unrelated:
        parse = await agent.parse_message(item["text"])
        ok = parse["intent"]["name"] in ("out_of_scope", "nlu_fallback")
        caught += ok
        if not ok:
            missed.append(f"{item['text']} -> {predicted_intent(parse)}")
    results["unrelated"] = {"messages": len(unrelated), "out_of_scope_or_fallback": round(100 * caught / len(unrelated), 1),
                            "missed": missed}
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="test")
    args = parser.parse_args(argv)
    quiet_logs()
    dev = args.split != "test"
    results = asyncio.run(evaluate(SPLITS[args.split]))
    path = write_result(f"nlu_{args.split}" if dev else "nlu", results)
    print("| language | held-out messages | intent accuracy | language of message |")
    print("| --- | --- | --- | --- |")
    for lang, row in results["per_language"].items():
        print(f"| {lang} | {row['messages']} | {row['intent_accuracy']:.1f}% | {row['language_accuracy']:.1f}% |")
    if dev:
        print(*results["misses"], sep="\n")
    else:
        print(f"\nUnrelated everyday messages -> out_of_scope/fallback: {results['unrelated']}")
    print(f"In-process parse latency: {results['parse_in_process']}")
    print("Top confusions:", *results["top_confusions"], sep="\n  ")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
